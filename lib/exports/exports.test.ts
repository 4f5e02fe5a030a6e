import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clusters, contractVersions, dataProducts, plans } from "@/db/schema";
import { buildFieldList } from "@/lib/contracts";
import type { SessionUser } from "@/lib/auth/roles";
import { createProduct, createTeam } from "@/lib/catalog/test-fixtures";
import { deliveryTopicName } from "@/lib/kafka/names";
import { createTestDatabase } from "@/lib/testing/db";
import { publishNewVersion } from "@/lib/versions/service";
import { createVersionWorld, schemaWith, type VersionWorld } from "@/lib/versions/test-fixtures";
import { createExportHandler, type ExportKind } from "./handler";
import { quoteYamlString } from "./yaml";

const jsYaml = createRequire(import.meta.url)("js-yaml") as { load(text: string): unknown };

/**
 * The field lists of the ODCS v3.0.2 JSON Schema (schema/odcs-json-schema-v3.0.2.json of
 * bitol-io/open-data-contract-standard), written out here: the contract, its schema objects and
 * properties are closed (additionalProperties / unevaluatedProperties false), and so are
 * logicalTypeOptions per logical type. `properties` belongs to objects, `items` to arrays only.
 */
const ODCS = {
  contract: ["version", "kind", "apiVersion", "id", "name", "tenant", "tags", "status", "servers", "dataProduct", "description", "domain", "schema", "support", "price", "team", "roles", "slaDefaultElement", "slaProperties", "authoritativeDefinitions", "customProperties", "contractCreatedTs"],
  description: ["usage", "purpose", "limitations", "authoritativeDefinitions", "customProperties"],
  element: ["name", "physicalType", "description", "businessName", "authoritativeDefinitions", "tags", "customProperties"],
  object: ["logicalType", "physicalName", "dataGranularityDescription", "properties", "quality"],
  property: ["primaryKey", "primaryKeyPosition", "logicalType", "logicalTypeOptions", "physicalType", "required", "unique", "partitioned", "partitionKeyPosition", "classification", "encryptedName", "transformSourceObjects", "transformLogic", "transformDescription", "examples", "criticalDataElement", "quality"],
  logicalTypes: ["string", "date", "number", "integer", "object", "array", "boolean"],
  typeOptions: {
    string: ["minLength", "maxLength", "pattern", "format"],
    date: ["format", "exclusiveMaximum", "maximum", "exclusiveMinimum", "minimum"],
    integer: ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "format"],
    number: ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "format"],
    object: ["maxProperties", "minProperties", "required"],
    array: ["maxItems", "minItems", "uniqueItems"],
    boolean: [],
  } as Record<string, string[]>,
  quality: ["authoritativeDefinitions", "businessImpact", "customProperties", "description", "dimension", "method", "name", "schedule", "scheduler", "severity", "tags", "type", "unit", "engine", "implementation", "rule", "mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween", "query"],
  dimensions: ["accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"],
  sla: ["property", "value", "valueExt", "unit", "element", "driver"],
  support: ["channel", "url", "description", "tool", "scope", "invitationUrl"],
  price: ["priceAmount", "priceCurrency", "priceUnit"],
  team: ["username", "role", "dateIn", "dateOut", "replacedByUsername"],
  customProperty: ["property", "value"],
};

/** Every "#/..." $ref in a document that does not resolve inside that same document. */
function unresolvedRefs(doc: unknown): string[] {
  const out: string[] = [];
  const resolve = (ref: string) =>
    ref
      .slice(2)
      .split("/")
      .map((k) => decodeURIComponent(k).replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((n, k) => (n && typeof n === "object" ? (n as Record<string, unknown>)[k] : undefined), doc);
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      for (const [k, v] of Object.entries(n)) {
        if (k === "$ref" && typeof v === "string" && (!v.startsWith("#/") || resolve(v) === undefined)) out.push(v);
        else walk(v);
      }
    }
  };
  walk(doc);
  return out;
}

/** Every key of an ODCS document that the standard does not define, as "path: key". */
function odcsViolations(doc: unknown): string[] {
  const out: string[] = [];
  const keys = (o: unknown, allowed: string[], at: string) => {
    for (const k of Object.keys((o ?? {}) as object)) if (!allowed.includes(k)) out.push(`${at}: ${k}`);
  };
  const each = (list: unknown, allowed: string[], at: string) => ((list ?? []) as unknown[]).forEach((x, i) => keys(x, allowed, `${at}[${i}]`));
  const customs = (o: Doc, at: string) => each(o.customProperties, ODCS.customProperty, `${at}.customProperties`);
  const quality = (list: unknown, at: string) =>
    ((list ?? []) as Doc[]).forEach((q, i) => {
      keys(q, ODCS.quality, `${at}[${i}]`);
      if (q.dimension !== undefined && !ODCS.dimensions.includes(q.dimension as string)) out.push(`${at}[${i}]: dimension ${String(q.dimension)}`);
    });
  const property = (p: Doc, at: string, item = false) => {
    const lt = p.logicalType as string;
    const allowed = [...ODCS.element, ...ODCS.property, ...(lt === "object" || item ? ["properties"] : []), ...(lt === "array" ? ["items"] : [])];
    keys(p, allowed, at);
    if (!item && typeof p.name !== "string") out.push(`${at}: name missing`);
    if (!ODCS.logicalTypes.includes(lt)) out.push(`${at}: logicalType ${lt}`);
    if (p.logicalTypeOptions) keys(p.logicalTypeOptions, ODCS.typeOptions[lt] ?? [], `${at}.logicalTypeOptions`);
    const intFormat = (p.logicalTypeOptions as Doc | undefined)?.format;
    if (lt === "integer" && intFormat !== undefined && !/^[iu](8|16|32|64|128)$/.test(intFormat as string)) out.push(`${at}: integer format ${String(intFormat)}`);
    if (lt === "number" && intFormat !== undefined && !/^f(32|64)$/.test(intFormat as string)) out.push(`${at}: number format ${String(intFormat)}`);
    customs(p, at);
    quality(p.quality, `${at}.quality`);
    ((p.properties ?? []) as Doc[]).forEach((c, i) => property(c, `${at}.properties[${i}]`));
    if (p.items) property(p.items as Doc, `${at}.items`, true);
  };
  const d = doc as Doc;
  keys(d, ODCS.contract, "contract");
  keys(d.description, ODCS.description, "description");
  ((d.schema ?? []) as Doc[]).forEach((o, i) => {
    keys(o, [...ODCS.element, ...ODCS.object], `schema[${i}]`);
    customs(o, `schema[${i}]`);
    quality(o.quality, `schema[${i}].quality`);
    ((o.properties ?? []) as Doc[]).forEach((p, j) => property(p, `schema[${i}].properties[${j}]`));
  });
  each(d.slaProperties, ODCS.sla, "slaProperties");
  each(d.support, ODCS.support, "support");
  each(d.team, ODCS.team, "team");
  if (d.price) keys(d.price, ODCS.price, "price");
  customs(d, "contract");
  return out;
}

const t = await createTestDatabase();
const db = t.db;

type Doc = Record<string, unknown> & { [k: string]: never | unknown };

function handler(kind: ExportKind, user: SessionUser | null, publicCatalog = false) {
  return createExportHandler(kind, { getUser: async () => user, getDb: () => db, isCatalogPublic: async () => publicCatalog, embeddedBrokers: () => ["localhost:9092"] });
}

async function get(kind: ExportKind, slug: string, user: SessionUser | null, query = "", publicCatalog = false) {
  const file = kind === "odcs" ? "contract.yaml" : "asyncapi.yaml";
  const res = await handler(kind, user, publicCatalog)(new Request(`http://test/api/products/${slug}/${file}${query}`), { params: Promise.resolve({ slug }) });
  const body = await res.text();
  return { res, body, doc: res.status === 200 ? (jsYaml.load(body) as Doc) : null };
}

/** The world with a breaking 2.0.0 published, so majors 1 (until its sunset) and 2 both serve. */
async function twoMajors(): Promise<VersionWorld> {
  const w = await createVersionWorld(db);
  await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
  await publishNewVersion(db, w.users.owner, {
    productId: w.product.id,
    schemaFormat: "json-schema",
    schemaText: JSON.stringify(schemaWith((p) => (p.duration = { type: "string", description: "ISO 8601 duration" }))),
    version: "2.0.0",
    changelog: "duration is a string",
  });
  return w;
}

describe("contract.yaml (ODCS v3)", () => {
  it("emits the contract in the ODCS v3 shape", async () => {
    const w = await createVersionWorld(db);
    const { res, body, doc } = await get("odcs", w.product.slug, w.users.consumer);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/yaml; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="${w.product.slug}-1.2.0.odcs.yaml"`);
    // The first lines, exactly as emitted (a uuid starting with a digit is quoted, so YAML 1.1 readers keep it a string).
    expect(body.split("\n").slice(0, 4)).toEqual(["apiVersion: v3.0.2", "kind: DataContract", `id: ${quoteYamlString(w.product.id)}`, `name: Cell events ${w.tag}`]);
    expect(doc).toMatchObject({
      apiVersion: "v3.0.2",
      kind: "DataContract",
      id: w.product.id,
      name: w.product.name,
      version: "1.2.0",
      status: "active",
      domain: "network",
      dataProduct: w.product.name,
      description: { purpose: expect.any(String), usage: expect.stringContaining("Analytics"), limitations: expect.any(String) },
      slaProperties: [
        { property: "freshness", value: 60, unit: "s" },
        { property: "availability", value: "99.9%" },
        { property: "retention", value: 168, unit: "h" },
      ],
      team: [{ username: w.teams.ownerTeam.slug, role: "owner" }],
      price: { priceAmount: 0, priceCurrency: "EUR", priceUnit: "free" },
    });
    const schema = (doc!.schema as Doc[])[0]!;
    expect(schema).toMatchObject({ name: w.product.slug, physicalName: w.product.sourceTopic, logicalType: "object", physicalType: "topic" });
    const props = schema.properties as Doc[];
    expect(props.map((p) => p.name)).toEqual(["id", "msisdn", "duration", "status", "cell"]);
    expect(props[1]).toEqual({
      name: "msisdn",
      logicalType: "string",
      physicalType: "string",
      required: true,
      classification: "internal",
      description: "About msisdn",
      tags: ["pii", "pii:direct"],
      customProperties: [
        { property: "pii", value: "direct" },
        { property: "masking", value: { masked: "hash" } },
      ],
    });
    expect(props[2]).toMatchObject({ name: "duration", logicalType: "integer", required: true });
    expect(props[4]).toMatchObject({ name: "cell", logicalType: "object", properties: [{ name: "pci", logicalType: "integer", required: false }] });
    const quality = schema.quality as Doc[];
    expect(quality.map((q) => [q.name, q.type, q.dimension])).toEqual([
      ["duration-range", "custom", "conformity"],
      ["status-known", "custom", "conformity"],
    ]);
    expect(quality[0]!.description).toBe("duration must be between 0 and 86400");
    expect(odcsViolations(doc)).toEqual([]);
  });

  it("maps nullability, maps, arrays and formats onto ODCS fields only", async () => {
    const w = await createVersionWorld(db);
    const schema = {
      type: "object",
      required: ["id", "note"],
      properties: {
        id: { type: "string", format: "uuid" },
        note: { type: ["string", "null"] },
        at: { type: "string", format: "date-time" },
        n: { type: "integer", format: "int64" },
        counters: { type: "object", additionalProperties: { type: "integer" } },
        legs: { type: "array", items: { type: "object", properties: { km: { type: "number" } } } },
      },
    };
    const { fields } = buildFieldList("json-schema", schema);
    await db.update(contractVersions).set({ schema, fields, qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    const { doc } = await get("odcs", w.product.slug, w.users.owner);
    expect(odcsViolations(doc)).toEqual([]);
    const props = Object.fromEntries(((doc!.schema as Doc[])[0]!.properties as Doc[]).map((p) => [p.name, p]));
    expect(props.id).toMatchObject({ logicalType: "string", logicalTypeOptions: { format: "uuid" }, required: true });
    // Present but nullable: not "required" in ODCS terms, and no made-up `nullable` key.
    expect(props.note).toMatchObject({ logicalType: "string", required: false });
    expect(props.at).toMatchObject({ logicalType: "date", customProperties: [{ property: "format", value: "date-time" }] });
    expect(props.at!.logicalTypeOptions).toBeUndefined();
    expect(props.n).toMatchObject({ logicalType: "integer", logicalTypeOptions: { format: "i64" } });
    expect(props.counters).toMatchObject({ logicalType: "object", customProperties: [{ property: "mapValues", value: { name: "item", logicalType: "integer" } }] });
    expect(props.counters!.items).toBeUndefined();
    expect(props.legs).toMatchObject({ logicalType: "array", items: { logicalType: "object", properties: [{ name: "km", logicalType: "number" }] } });
  });

  it("prices in the currency's own minor unit and never ranks plans of different models or currencies", async () => {
    const w = await createVersionWorld(db);
    const setPlan = (id: string, priceModel: "per_gb" | "flat_monthly", priceMinor: number, currency: string) => db.update(plans).set({ priceModel, priceMinor, currency }).where(eq(plans.id, id));
    await setPlan(w.plans.autoPlan.id, "per_gb", 20, "JPY");
    await setPlan(w.plans.externalAutoPlan.id, "per_gb", 150, "EUR");
    await setPlan(w.plans.reviewPlan.id, "per_gb", 250, "EUR");
    const mixed = (await get("odcs", w.product.slug, w.users.owner)).doc!;
    expect(mixed.price).toBeUndefined();
    const listed = (mixed.customProperties as Doc[]).find((c) => c.property === "plans")!.value as Doc[];
    expect(Object.fromEntries(listed.map((pl) => [pl.name, [pl.priceAmount, pl.priceCurrency]]))).toEqual({
      "Internal free": [20, "JPY"],
      "Partner masked": [1.5, "EUR"],
      "Full, reviewed": [2.5, "EUR"],
    });
    await setPlan(w.plans.externalAutoPlan.id, "per_gb", 3, "JPY");
    await setPlan(w.plans.reviewPlan.id, "per_gb", 1000, "JPY");
    expect((await get("odcs", w.product.slug, w.users.owner)).doc!.price).toEqual({ priceAmount: 3, priceCurrency: "JPY", priceUnit: "gigabyte" });
    await setPlan(w.plans.reviewPlan.id, "flat_monthly", 1, "JPY");
    expect((await get("odcs", w.product.slug, w.users.owner)).doc!.price).toBeUndefined();
    expect(odcsViolations((await get("odcs", w.product.slug, w.users.owner)).doc)).toEqual([]);
  });

  it("serves a named version, 404 for an unknown one, 400 for a malformed one, and downloads as a file", async () => {
    const w = await twoMajors();
    const latest = await get("odcs", w.product.slug, w.users.consumer);
    expect(latest.doc).toMatchObject({ version: "2.0.0", status: "active" });
    const old = await get("odcs", w.product.slug, w.users.consumer, "?version=1.2.0&download=1");
    expect(old.doc).toMatchObject({ version: "1.2.0", status: "deprecated" });
    expect((old.doc!.slaProperties as Doc[]).at(-1)).toMatchObject({ property: "endOfLife" });
    expect(old.res.headers.get("content-disposition")).toBe(`attachment; filename="${w.product.slug}-1.2.0.odcs.yaml"`);
    expect((await get("odcs", w.product.slug, w.users.consumer, "?version=9.9.9")).res.status).toBe(404);
    expect((await get("odcs", w.product.slug, w.users.consumer, "?version=latest")).res.status).toBe(400);
  });
});

describe("asyncapi.yaml (AsyncAPI 3.0.0)", () => {
  it("lists one channel per serving major and tier, with receive operations and a SCRAM-SHA-512 scheme", async () => {
    const w = await twoMajors();
    const { res, doc } = await get("asyncapi", w.product.slug, w.users.owner);
    expect(res.status).toBe(200);
    expect(doc).toMatchObject({ asyncapi: "3.0.0", info: { title: w.product.name, version: "2.0.0" }, defaultContentType: "application/json" });
    expect(doc!.servers).toEqual({
      kafka: {
        host: "localhost:9092",
        protocol: "kafka",
        description: expect.any(String),
        security: [{ $ref: "#/components/securitySchemes/scramSha512" }],
      },
    });
    const components = doc!.components as { securitySchemes: Doc; messages: Record<string, Doc> };
    expect(components.securitySchemes.scramSha512).toMatchObject({ type: "scramSha512" });
    const channels = doc!.channels as Record<string, Doc>;
    const expected = [2, 1].flatMap((major) => ["full", "masked"].map((tier) => [`v${major}-${tier}`, deliveryTopicName(w.product.slug, major, tier)]));
    expect(Object.entries(channels).map(([id, c]) => [id, c.address])).toEqual(expected);
    const operations = doc!.operations as Record<string, Doc>;
    for (const [id] of expected) {
      expect(operations[`receive-${id}`]).toMatchObject({ action: "receive", channel: { $ref: `#/channels/${id}` }, messages: [{ $ref: `#/channels/${id}/messages/record` }] });
      expect(channels[id]!.messages).toEqual({ record: { $ref: `#/components/messages/record-v${id.slice(1, 2)}` } });
    }
    // Each major's message carries that major's JSON schema, with its draft as schemaFormat.
    type Payload = { schemaFormat: string; schema: { properties: Record<string, { type: string }> } };
    const p2 = components.messages["record-v2"]!.payload as Payload;
    const p1 = components.messages["record-v1"]!.payload as Payload;
    expect([p2.schema.properties.duration!.type, p1.schema.properties.duration!.type]).toEqual(["string", "integer"]);
    expect(p2.schemaFormat).toBe("application/schema+json;version=2020-12");
    expect(unresolvedRefs(doc)).toEqual([]);
  });

  it("inlines a schema's $defs so no $ref points at the AsyncAPI root, and names the draft", async () => {
    const w = await createVersionWorld(db);
    const withDefs = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["id", "cell"],
      properties: { id: { type: "string" }, msisdn: { type: "string" }, duration: { type: "integer" }, cell: { $ref: "#/$defs/cell" }, previous: { $ref: "#/$defs/cell", description: "Cell before the handover" } },
      $defs: { cell: { type: "object", properties: { pci: { $ref: "#/$defs/pci" } } }, pci: { type: "integer", minimum: 0 } },
    };
    await db.update(contractVersions).set({ schema: withDefs, qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    const { res, doc, body } = await get("asyncapi", w.product.slug, w.users.owner);
    expect(res.status).toBe(200);
    expect(body).not.toContain("#/$defs");
    expect(unresolvedRefs(doc)).toEqual([]);
    const payload = (doc!.components as { messages: Record<string, Doc> }).messages["record-v1"]!.payload as { schemaFormat: string; schema: Doc };
    expect(payload.schemaFormat).toBe("application/schema+json;version=2020-12");
    expect(payload.schema.$defs).toBeUndefined();
    const props = payload.schema.properties as Record<string, Doc>;
    expect(props.cell).toEqual({ type: "object", properties: { pci: { type: "integer", minimum: 0 } } });
    // 2020-12 applies keywords next to $ref too: kept alongside the inlined target.
    expect(props.previous).toEqual({ allOf: [{ type: "object", properties: { pci: { type: "integer", minimum: 0 } } }], description: "Cell before the handover" });

    const draft7 = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { cell: { $ref: "#/definitions/cell" } }, definitions: { cell: { type: "string" } } };
    await db.update(contractVersions).set({ schema: draft7 }).where(eq(contractVersions.productId, w.product.id));
    const d7 = (await get("asyncapi", w.product.slug, w.users.owner)).doc!;
    const p7 = (d7.components as { messages: Record<string, Doc> }).messages["record-v1"]!.payload as { schemaFormat: string; schema: Doc };
    expect(p7).toEqual({ schemaFormat: "application/schema+json;version=draft-07", schema: { $schema: draft7.$schema, type: "object", properties: { cell: { type: "string" } } } });
  });

  it("refuses a schema that refers back to itself with a clear 422", async () => {
    const w = await createVersionWorld(db);
    const cyclic = { type: "object", properties: { id: { type: "string" }, parent: { $ref: "#" } } };
    await db.update(contractVersions).set({ schema: cyclic }).where(eq(contractVersions.productId, w.product.id));
    const { res, body } = await get("asyncapi", w.product.slug, w.users.owner);
    expect(res.status).toBe(422);
    expect(body).toMatch(/^Contract 1\.2\.0: the schema refers back to itself \(\$ref # at \/properties\/parent\)/);
  });

  it("with ?version= describes that version's major only; servers come from the product's cluster", async () => {
    const w = await twoMajors();
    const [c] = await db.insert(clusters).values({ name: `prod-${w.tag}`, bootstrapServers: "b1.kafka:9093, b2.kafka:9093", saslMechanism: "scram-sha-512" }).returning();
    await db.update(dataProducts).set({ clusterId: c!.id }).where(eq(dataProducts.id, w.product.id));
    const { doc } = await get("asyncapi", w.product.slug, w.users.consumer, "?version=1.2.0");
    expect(Object.keys(doc!.channels as Doc)).toEqual(["v1-full", "v1-masked"]);
    expect(Object.values(doc!.servers as Record<string, Doc>).map((s) => [s.host, s.protocol])).toEqual([
      ["b1.kafka:9093", "kafka"],
      ["b2.kafka:9093", "kafka"],
    ]);
  });

  it("shows consumers only the tiers of plans they can see", async () => {
    const w = await createVersionWorld(db);
    const partner = await get("asyncapi", w.product.slug, w.users.partner);
    // Both external plans (masked auto, full reviewed) are open to partners.
    expect(Object.keys(partner.doc!.channels as Doc)).toEqual(["v1-full", "v1-masked"]);
    // The consumer sees the masked tier (auto plan) and the full tier (reviewed plan).
    expect(Object.keys((await get("asyncapi", w.product.slug, w.users.consumer)).doc!.channels as Doc)).toEqual(["v1-full", "v1-masked"]);
  });
});

describe("visibility", () => {
  it("answers 404 for hidden products and unknown slugs, like the product page", async () => {
    const w = await createVersionWorld(db);
    const team = await createTeam(db, "Hidden");
    const draft = await createProduct(db, { slug: `draft-${w.tag}`, name: "Draft", status: "draft", teamId: team.id });
    const internalOnly = await createProduct(db, { slug: `internal-${w.tag}`, name: "Internal only", teamId: team.id, plans: [{ externalAllowed: false }] });
    const retired = await createProduct(db, { slug: `retired-${w.tag}`, name: "Retired", status: "retired", teamId: team.id });
    for (const kind of ["odcs", "asyncapi"] as const) {
      expect((await get(kind, "no-such-product", w.users.consumer)).res.status).toBe(404);
      expect((await get(kind, draft.slug, w.users.consumer)).res.status).toBe(404);
      expect((await get(kind, retired.slug, w.users.consumer)).res.status).toBe(404);
      expect((await get(kind, internalOnly.slug, w.users.partner)).res.status).toBe(404);
      expect((await get(kind, internalOnly.slug, w.users.consumer)).res.status).toBe(200);
      // Signed out: only when the admin made the catalog public.
      expect((await get(kind, w.product.slug, null)).res.status).toBe(404);
      expect((await get(kind, w.product.slug, null, "", true)).res.status).toBe(200);
      expect((await get(kind, draft.slug, null, "", true)).res.status).toBe(404);
      // The owning team sees its own product whatever its status; admins see everything.
      expect((await get(kind, w.product.slug, w.users.owner)).res.status).toBe(200);
      expect((await get(kind, w.product.slug, w.admin)).res.status).toBe(200);
    }
    await db.update(dataProducts).set({ status: "draft" }).where(eq(dataProducts.id, w.product.id));
    expect((await get("odcs", w.product.slug, w.users.consumer)).res.status).toBe(404);
    expect((await get("odcs", w.product.slug, w.users.owner)).doc).toMatchObject({ status: "draft" });
  });
});
