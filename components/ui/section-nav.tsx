import { cn } from "./cn";

/**
 * In-page navigation to anchored sections. Used instead of JS tabs so every section is in the
 * server-rendered HTML, linkable (#schema) and readable without JavaScript.
 */
export function SectionNav({ items, className }: { items: { id: string; label: string }[]; className?: string }) {
  return (
    <nav aria-label="On this page" className={cn("border-b border-slate-200", className)}>
      <ul className="-mb-px flex gap-6 overflow-x-auto text-sm">
        {items.map((it) => (
          <li key={it.id}>
            <a
              href={`#${it.id}`}
              className="inline-block border-b-2 border-transparent px-1 py-3 font-medium text-slate-600 hover:border-brand-500 hover:text-brand-700"
            >
              {it.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
