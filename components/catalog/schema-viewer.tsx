import { Badge, PiiBadge } from "@/components/ui";
import type { SchemaNode } from "@/lib/catalog/schema-tree";

type Row = { node: SchemaNode; depth: number };

function flatten(nodes: SchemaNode[], depth = 0, out: Row[] = []): Row[] {
  for (const n of nodes) {
    out.push({ node: n, depth });
    flatten(n.children, depth + 1, out);
  }
  return out;
}

/**
 * The contract's fields as an indented table: a table keeps type, required, PII and
 * description aligned and readable by screen readers; indentation shows nesting, and the full
 * path is in each row for copy/paste.
 */
export function SchemaViewer({ nodes }: { nodes: SchemaNode[] }) {
  const rows = flatten(nodes);
  if (rows.length === 0) return <p className="text-sm text-slate-600">This contract does not describe any fields.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <caption className="sr-only">Fields of the current contract, nested fields indented under their parent</caption>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-semibold">Field</th>
            <th scope="col" className="px-4 py-2 font-semibold">Type</th>
            <th scope="col" className="px-4 py-2 font-semibold">Required</th>
            <th scope="col" className="px-4 py-2 font-semibold">Privacy</th>
            <th scope="col" className="px-4 py-2 font-semibold">Description</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ node, depth }) => (
            <tr key={node.path} className={node.pii !== "none" ? "bg-amber-50/40" : undefined}>
              <th scope="row" className="whitespace-nowrap px-4 py-2 text-left font-normal">
                <span style={{ paddingLeft: `${depth * 1.25}rem` }} className="inline-flex items-center gap-1">
                  {depth > 0 && (
                    <span aria-hidden="true" className="text-slate-300">
                      └
                    </span>
                  )}
                  <code className="font-mono text-[13px] font-medium text-slate-900" title={node.path}>
                    {node.name}
                  </code>
                </span>
              </th>
              <td className="px-4 py-2 font-mono text-xs text-slate-600">{node.type}</td>
              <td className="px-4 py-2">{node.required ? <Badge tone="neutral">required</Badge> : <span className="text-slate-400">optional</span>}</td>
              <td className="px-4 py-2">
                <PiiBadge kind={node.pii} compact />
              </td>
              <td className="px-4 py-2 text-slate-700">{node.description ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
