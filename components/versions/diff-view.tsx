import { Badge } from "@/components/ui";
import type { DiffRow, FieldSummary } from "@/lib/versions/service";

function describe(f: FieldSummary | null): string {
  if (!f) return "—";
  const type = f.format ? `${f.type} (${f.format})` : f.type;
  return `${type}${f.required ? ", required" : ", optional"}${f.nullable ? ", nullable" : ""}`;
}

/** Every change between the current and the proposed schema; breaking ones first and highlighted. */
export function DiffView({ changes, mode }: { changes: DiffRow[]; mode: string }) {
  if (changes.length === 0) {
    return <p className="text-sm text-slate-600">No schema changes.</p>;
  }
  const rows = [...changes].sort((a, b) => Number(b.breaking) - Number(a.breaking));
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Schema changes, checked in {mode} compatibility mode</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">Field</th>
            <th scope="col" className="px-3 py-2">Change</th>
            <th scope="col" className="px-3 py-2">Old → new</th>
            <th scope="col" className="px-3 py-2">Detail</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {rows.map((c, i) => (
            <tr key={`${c.path}-${c.kind}-${i}`} className={c.breaking ? "bg-red-50" : undefined}>
              <td className="px-3 py-2 align-top font-mono text-xs text-slate-900">{c.path || "(record)"}</td>
              <td className="px-3 py-2 align-top">
                <div className="flex flex-wrap items-center gap-1">
                  <Badge tone={c.kind === "field_added" ? "green" : c.kind === "field_removed" ? "red" : c.kind === "doc_changed" ? "neutral" : "amber"}>{c.label}</Badge>
                  {c.breaking && <Badge tone="red">Breaking</Badge>}
                </div>
              </td>
              <td className="px-3 py-2 align-top text-xs text-slate-700">
                <span className={c.before ? undefined : "text-slate-400"}>{describe(c.before)}</span>
                <span aria-hidden="true"> → </span>
                <span className="sr-only"> becomes </span>
                <span className={c.after ? undefined : "text-slate-400"}>{describe(c.after)}</span>
              </td>
              <td className="px-3 py-2 align-top text-xs text-slate-700">
                {c.message}
                {(c.breaksBackward || c.breaksForward) && (
                  <span className="block text-slate-500">
                    Breaks {[c.breaksBackward && "backward", c.breaksForward && "forward"].filter(Boolean).join(" and ")} compatibility.
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
