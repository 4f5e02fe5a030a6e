import { Badge } from "@/components/ui";
import type { ManagedVersion } from "@/lib/versions/service";

const statusTone = { draft: "neutral", published: "green", deprecated: "orange", retired: "red" } as const;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

/** Every contract version, newest first, with what the router serves now and the export links. */
export function VersionsTable({ slug, versions, subscriptionsByMajor }: { slug: string; versions: ManagedVersion[]; subscriptionsByMajor: Record<number, number> }) {
  if (versions.length === 0) return <p className="text-sm text-slate-600">No contract versions yet.</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Contract versions, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">Version</th>
            <th scope="col" className="px-3 py-2">Status</th>
            <th scope="col" className="px-3 py-2">Published</th>
            <th scope="col" className="px-3 py-2">Sunset</th>
            <th scope="col" className="px-3 py-2">Subscriptions</th>
            <th scope="col" className="px-3 py-2">Changelog</th>
            <th scope="col" className="px-3 py-2">Export</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {versions.map((v) => (
            <tr key={v.id}>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                <span className="font-mono text-slate-900">{v.version}</span>
                <span className="block text-xs text-slate-500">
                  {v.schemaFormat === "avro" ? "Avro" : "JSON Schema"} · {v.fieldCount} fields
                </span>
              </td>
              <td className="px-3 py-2 align-top">
                <div className="flex flex-wrap gap-1">
                  <Badge tone={statusTone[v.status]}>{v.status}</Badge>
                  {v.serving && <Badge tone="brand">Serving v{v.major}</Badge>}
                </div>
              </td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">{day(v.publishedAt)}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">{day(v.sunsetAt)}</td>
              <td className="px-3 py-2 align-top text-slate-700">{v.serving ? (subscriptionsByMajor[v.major] ?? 0) : "—"}</td>
              <td className="max-w-md px-3 py-2 align-top text-slate-700">{v.changelog ?? <span className="text-slate-400">—</span>}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                <a className="text-brand-700 hover:underline" href={`/api/products/${slug}/contract.yaml?version=${v.version}&download=1`} aria-label={`Download the ODCS contract of version ${v.version}`}>
                  ODCS
                </a>
                <span aria-hidden="true" className="text-slate-300"> · </span>
                <a className="text-brand-700 hover:underline" href={`/api/products/${slug}/asyncapi.yaml?version=${v.version}&download=1`} aria-label={`Download the AsyncAPI document of version ${v.version}`}>
                  AsyncAPI
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
