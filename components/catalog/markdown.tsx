import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Owner-written markdown, rendered safely: raw HTML is dropped (skipHtml), react-markdown's
 * default URL filter removes javascript: and other unsafe links, and external links open
 * without handing the opener to the other site. GFM is on because owners document fields and
 * KPIs in tables; it adds no HTML passthrough (tables, strikethrough, task lists, autolinks).
 */
const remarkPlugins = [remarkGfm];

const components: Components = {
  h1: ({ children }) => <h3 className="mt-6 text-base font-semibold text-slate-900">{children}</h3>,
  h2: ({ children }) => <h3 className="mt-6 text-base font-semibold text-slate-900">{children}</h3>,
  h3: ({ children }) => <h4 className="mt-5 text-sm font-semibold text-slate-900">{children}</h4>,
  h4: ({ children }) => <h5 className="mt-4 text-sm font-semibold text-slate-900">{children}</h5>,
  p: ({ children }) => <p className="mt-3 leading-relaxed text-slate-700">{children}</p>,
  ul: ({ children }) => <ul className="mt-3 list-disc space-y-1 pl-6 text-slate-700">{children}</ul>,
  ol: ({ children }) => <ol className="mt-3 list-decimal space-y-1 pl-6 text-slate-700">{children}</ol>,
  a: ({ href, children }) => (
    <a href={href} className="text-brand-700 underline underline-offset-2 hover:text-brand-900" rel="noopener noreferrer nofollow" target="_blank">
      {children}
    </a>
  ),
  code: ({ children, className }) =>
    className ? (
      <code className={className}>{children}</code>
    ) : (
      <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] text-slate-800">{children}</code>
    ),
  pre: ({ children }) => <pre className="mt-3 overflow-x-auto rounded-md bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100">{children}</pre>,
  blockquote: ({ children }) => <blockquote className="mt-3 border-l-4 border-slate-200 pl-4 text-slate-600">{children}</blockquote>,
  table: ({ children }) => <div className="mt-3 overflow-x-auto"><table className="min-w-full text-sm">{children}</table></div>,
  // GFM passes column alignment (":---:") as an inline text-align style.
  th: ({ children, style }) => <th style={style} className="border-b border-slate-200 px-3 py-1.5 text-left font-semibold">{children}</th>,
  td: ({ children, style }) => <td style={style} className="border-b border-slate-100 px-3 py-1.5">{children}</td>,
  img: ({ alt }) => <span className="text-slate-500">[image: {alt}]</span>,
};

export function MarkdownText({ children }: { children: string }) {
  return (
    <div className="text-sm [&>*:first-child]:mt-0">
      <Markdown skipHtml remarkPlugins={remarkPlugins} components={components}>
        {children}
      </Markdown>
    </div>
  );
}
