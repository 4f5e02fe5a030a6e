/**
 * The export route handlers, built from injectable dependencies so tests can call them with a
 * plain Request (the routes in app/api/products/[slug]/ pass the defaults).
 *
 *   GET /api/products/<slug>/contract.yaml[?version=x.y.z][&download=1]   ODCS v3
 *   GET /api/products/<slug>/asyncapi.yaml[?version=x.y.z][&download=1]   AsyncAPI 3.0.0
 *
 * 404 for unknown products, products the viewer may not see (see source.ts) and unknown
 * versions; 400 for a malformed version; 422 when the contract cannot be written as the
 * document (an AsyncAPI payload whose schema refers back to itself). Inline text/yaml by default, an attachment with
 * ?download=1. Answers vary with the session, so they are private and not cached.
 */
import type { Db } from "@/db/client";
import type { SessionUser } from "@/lib/auth/roles";
import { createLogger } from "@/lib/ops/log";
import { REQUEST_ID_HEADER } from "@/lib/ops/request-id";
import { AsyncApiExportError, buildAsyncApiDocument } from "./asyncapi";
import { buildOdcsDocument } from "./odcs";
import { loadExportSource } from "./source";
import { toYaml } from "./yaml";

export type ExportKind = "odcs" | "asyncapi";

export type ExportDeps = {
  getUser: () => Promise<SessionUser | null>;
  getDb: () => Db;
  isCatalogPublic: (db: Db) => Promise<boolean>;
  /** Bootstrap brokers of the embedded cluster (env). */
  embeddedBrokers: () => string[];
};

type RouteContext = { params: Promise<{ slug: string }> };

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "private, no-store", "x-content-type-options": "nosniff" } });
}

const SEMVER_TEXT = /^\d{1,9}\.\d{1,9}\.\d{1,9}$/;

export function createExportHandler(kind: ExportKind, deps?: ExportDeps) {
  return async function GET(req: Request, ctx: RouteContext): Promise<Response> {
    const d = deps ?? (await defaultDeps());
    const { slug } = await ctx.params;
    const url = new URL(req.url);
    const version = url.searchParams.get("version") ?? undefined;
    if (version !== undefined && !SEMVER_TEXT.test(version)) return text(400, "version must be MAJOR.MINOR.PATCH, e.g. ?version=1.2.0\n");
    const download = url.searchParams.get("download") === "1";
    try {
      const db = d.getDb();
      const user = await d.getUser();
      const publicCatalog = user ? false : await d.isCatalogPublic(db);
      const src = await loadExportSource(db, slug, { user, publicCatalog }, { version, embeddedBrokers: d.embeddedBrokers() });
      if (!src) return text(404, "Not found.\n");
      const body = toYaml(kind === "odcs" ? buildOdcsDocument(src) : buildAsyncApiDocument(src));
      const filename = `${src.product.slug}-${src.version.version}.${kind === "odcs" ? "odcs" : "asyncapi"}.yaml`;
      return new Response(body, {
        status: 200,
        headers: {
          "content-type": "text/yaml; charset=utf-8",
          "content-disposition": `${download ? "attachment" : "inline"}; filename="${filename}"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (err) {
      if (err instanceof AsyncApiExportError) return text(422, `${err.message}\n`);
      createLogger("exports").error("export failed", { request_id: req.headers.get(REQUEST_ID_HEADER) ?? undefined, path: new URL(req.url).pathname, error: err });
      return text(500, "Something went wrong on our side.\n");
    }
  };
}

async function defaultDeps(): Promise<ExportDeps> {
  // Imported lazily: the session module needs a request context (next/headers), tests do not load it.
  const [{ getSessionUser }, { getDb }, { getSetting }, { env }] = await Promise.all([
    import("@/lib/auth/session"),
    import("@/db/client"),
    import("@/lib/settings/service"),
    import("@/lib/env"),
  ]);
  return {
    getUser: getSessionUser,
    getDb,
    isCatalogPublic: (db) => getSetting(db, "public_catalog"),
    embeddedBrokers: () => env().kafkaBrokers,
  };
}
