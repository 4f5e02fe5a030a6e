import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, CardBody } from "@/components/ui";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { API_SCOPES } from "@/lib/api/scopes";
import { requireUser } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "API reference" };

type Param = { name: string; in: string; required: boolean; schema: Record<string, unknown> };
type Operation = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  "x-required-scope": string;
  parameters: Param[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, { description: string; content?: { "application/json": { schema: JsonSchema } } }>;
};
type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; enum?: unknown[]; format?: string; anyOf?: JsonSchema[] };

function typeLabel(s: JsonSchema | undefined): string {
  if (!s) return "any";
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.anyOf) return s.anyOf.map(typeLabel).join(" | ");
  if (s.type === "array") return `${typeLabel(s.items)}[]`;
  const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  return s.format ? `${t} (${s.format})` : t;
}

function FieldsTable({ schema, caption }: { schema: JsonSchema; caption: string }) {
  const props = Object.entries(schema.properties ?? {});
  if (!props.length) return null;
  return (
    <table className="mt-2 w-full text-left text-sm">
      <caption className="mb-1 text-left text-xs font-medium uppercase tracking-wide text-slate-500">{caption}</caption>
      <tbody className="divide-y divide-slate-100">
        {props.map(([name, s]) => (
          <tr key={name}>
            <th scope="row" className="py-1 pr-4 font-mono text-xs font-medium text-slate-900">
              {name}
              {schema.required?.includes(name) ? <span className="text-red-600" aria-label="required"> *</span> : null}
            </th>
            <td className="py-1 font-mono text-xs text-slate-600">{typeLabel(s)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function ApiReferencePage() {
  await requireUser();
  const base = env().appUrl;
  const doc = buildOpenApiDocument(base);
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Operation })),
  );
  const tags = [...new Set(ops.map((o) => o.op.tags[0]!))];

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">API reference</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Base URL <code className="font-mono">{base}/api/v1</code>. Send a token from <Link className="text-brand-700 underline" href="/settings/tokens">API tokens</Link> as{" "}
          <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>. The same checks as in the app apply: a token never does more than its user. Errors are JSON{" "}
          <code className="font-mono">{`{ error: { code, message, fieldErrors? }, requestId }`}</code>; tokens are rate limited per minute (429 with Retry-After). Machine-readable:{" "}
          <a className="text-brand-700 underline" href="/api/v1/openapi.json">
            openapi.json
          </a>
          .
        </p>
      </div>

      <section aria-labelledby="scopes-heading">
        <h2 id="scopes-heading" className="text-lg font-semibold text-slate-900">
          Scopes
        </h2>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {Object.entries(API_SCOPES).map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="font-mono text-xs text-slate-900">{k}</dt>
              <dd className="text-slate-600">{v}</dd>
            </div>
          ))}
        </dl>
      </section>

      {tags.map((tag) => (
        <section key={tag} aria-labelledby={`tag-${tag}`} className="space-y-3">
          <h2 id={`tag-${tag}`} className="text-lg font-semibold text-slate-900">
            {tag}
          </h2>
          {ops
            .filter((o) => o.op.tags[0] === tag)
            .map(({ path, method, op }) => {
              const success = Object.entries(op.responses).find(([code]) => code.startsWith("2"))!;
              const query = op.parameters.filter((p) => p.in === "query");
              const curl = [`curl -sS`, method !== "GET" ? `-X ${method}` : "", `-H "Authorization: Bearer $TRIBUTARY_TOKEN"`, op.requestBody ? `-H "Content-Type: application/json" -d '{…}'` : "", `"${base}/api/v1${path}"`]
                .filter(Boolean)
                .join(" ");
              return (
                <Card key={op.operationId}>
                  <CardBody>
                    <h3 id={op.operationId} className="flex flex-wrap items-center gap-2 text-base font-medium text-slate-900">
                      <Badge tone={method === "GET" ? "green" : "brand"}>{method}</Badge>
                      <code className="font-mono text-sm">{path}</code>
                      <span className="text-slate-600">— {op.summary}</span>
                    </h3>
                    {op.description && <p className="mt-1 text-sm text-slate-600">{op.description}</p>}
                    <p className="mt-1 text-xs text-slate-500">
                      Scope <code className="font-mono">{op["x-required-scope"]}</code>
                    </p>
                    {op.parameters.filter((p) => p.in === "path").length > 0 && (
                      <FieldsTable
                        caption="Path parameters"
                        schema={{ properties: Object.fromEntries(op.parameters.filter((p) => p.in === "path").map((p) => [p.name, p.schema as JsonSchema])), required: op.parameters.filter((p) => p.in === "path").map((p) => p.name) }}
                      />
                    )}
                    {query.length > 0 && (
                      <FieldsTable caption="Query parameters" schema={{ properties: Object.fromEntries(query.map((p) => [p.name, p.schema as JsonSchema])), required: query.filter((p) => p.required).map((p) => p.name) }} />
                    )}
                    {op.requestBody && <FieldsTable caption="Request body" schema={op.requestBody.content["application/json"].schema} />}
                    {success[1].content && <FieldsTable caption={`Response ${success[0]}`} schema={success[1].content["application/json"].schema} />}
                    <pre className="mt-3 overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
                      <code>{curl}</code>
                    </pre>
                  </CardBody>
                </Card>
              );
            })}
        </section>
      ))}
    </main>
  );
}
