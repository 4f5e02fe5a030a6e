import { createHash } from "node:crypto";
import { compileContract, compareSemver, decodeRecord, RECORD_MAX_BYTES, type ContractValidator } from "@/lib/contracts";
import { deliveryTopicName, dlqTopicName } from "@/lib/kafka/names";
import { compileMaskingPolicy, deriveProductKey, MaskingPolicyError, type MaskFn, type MaskingField } from "@/lib/masking";
import type { RoutableProduct, RoutableVersion } from "./queries";

/**
 * A product's compiled routing plan, and the pure function that routes one record with it.
 *
 * Contract majors: every major with a serving version (status published or deprecated, sunset
 * not passed) is served, each by its newest serving version (minor versions are compatible by
 * the publish checks, so the newest one reads what older ones wrote). A record is validated
 * against each serving major and delivered to every major it is valid for, in each of the
 * product's tiers; only a record valid for none goes to the DLQ, with the newest major's
 * reasons. So while producers move from v1 to v2 shapes, old-shape records keep reaching the v1
 * topics, new-shape records the v2 topics, and records valid under both reach both. A new minor
 * version takes over its major at the next refresh: fields it adds start flowing from then on;
 * before that the masking allow-list drops them.
 */

export type TierRoute = { name: string; topic: string; mask: MaskFn };

export type MajorRoute = {
  major: number;
  version: string;
  validate: ContractValidator;
  tiers: TierRoute[];
  /**
   * Tiers of the product that cannot be served for this major (policy does not compile, no
   * masking key), each with why. A record valid for such a major goes to the DLQ instead of
   * reaching only some tiers: offsets move only past records every tier got or the DLQ holds.
   */
  unservable: { tier: string; reason: string }[];
};

export type PlanProblem = { major?: number; tier?: string; message: string };

export type ProductRoute = {
  productId: string;
  slug: string;
  sourceTopic: string;
  dlqTopic: string;
  /** Newest major first. Empty when nothing can be served (see problems). */
  majors: MajorRoute[];
  /** Contract or tier policies that did not compile: those targets get nothing until fixed. */
  problems: PlanProblem[];
  /** Changes whenever anything the plan is built from changes. */
  signature: string;
};

/** Versions serving at `now`, newest per major, newest major first. */
export function servingVersions(versions: readonly RoutableVersion[], now: number): RoutableVersion[] {
  const newest = new Map<number, RoutableVersion>();
  for (const v of versions) {
    if (v.status !== "published" && v.status !== "deprecated") continue;
    if (v.sunsetAt && v.sunsetAt.getTime() <= now) continue;
    const cur = newest.get(v.major);
    if (!cur || compareVersions(v, cur) > 0) newest.set(v.major, v);
  }
  return [...newest.values()].sort((a, b) => b.major - a.major);
}

function compareVersions(a: RoutableVersion, b: RoutableVersion): number {
  try {
    return compareSemver(a.version, b.version);
  } catch {
    return a.minor - b.minor || a.patch - b.patch;
  }
}

export function planSignature(product: RoutableProduct, now: number): string {
  const serving = servingVersions(product.versions, now);
  const h = createHash("sha256");
  h.update(JSON.stringify([product.slug, product.sourceTopic, product.maskingKeyVersion]));
  for (const v of serving) h.update(JSON.stringify([v.id, v.version, v.schemaFormat, v.schema, v.fields, v.qualityRules]));
  for (const t of product.tiers) h.update(JSON.stringify([t.id, t.name, t.fullAccess, t.rules]));
  return h.digest("hex");
}

function asRules(rules: unknown): Record<string, unknown> {
  return typeof rules === "object" && rules !== null && !Array.isArray(rules) ? (rules as Record<string, unknown>) : {};
}

/**
 * Tier rules are per product, contract fields per version: a rule for a field an older major
 * does not have is dropped for that major (the allow-list keeps the field out anyway).
 */
function compileTier(fields: MaskingField[], rules: Record<string, unknown>, fullAccess: boolean, key: Buffer, tier: string): MaskFn {
  try {
    return compileMaskingPolicy({ fields, rules, fullAccess, key, tier });
  } catch (e) {
    if (!(e instanceof MaskingPolicyError)) throw e;
    const unknown = new Set(e.issues.filter((i) => i.tier !== null && i.message.startsWith("The contract has no field")).map((i) => i.path));
    if (unknown.size === 0 || unknown.size < e.issues.length) throw e;
    const kept = Object.fromEntries(Object.entries(rules).filter(([p]) => !unknown.has(p)));
    return compileMaskingPolicy({ fields, rules: kept, fullAccess, key, tier });
  }
}

export function compileProductRoute(product: RoutableProduct, masterSecret: string, now: number): ProductRoute {
  const problems: PlanProblem[] = [];
  const majors: MajorRoute[] = [];
  let key: Buffer | null = null;
  try {
    key = deriveProductKey(masterSecret, product.id, product.maskingKeyVersion);
  } catch (e) {
    problems.push({ message: `masking key: ${e instanceof Error ? e.message : String(e)}` });
  }
  for (const v of servingVersions(product.versions, now)) {
    let validate: ContractValidator;
    try {
      validate = compileContract({ schemaFormat: v.schemaFormat, schema: v.schema, qualityRules: v.qualityRules });
    } catch (e) {
      problems.push({ major: v.major, message: `contract ${v.version} does not compile: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const fields = Array.isArray(v.fields) ? (v.fields as MaskingField[]) : [];
    const tiers: TierRoute[] = [];
    const unservable: MajorRoute["unservable"] = [];
    for (const t of product.tiers) {
      if (!key) {
        unservable.push({ tier: t.name, reason: "no masking key" });
        continue;
      }
      try {
        tiers.push({ name: t.name, topic: deliveryTopicName(product.slug, v.major, t.name), mask: compileTier(fields, asRules(t.rules), t.fullAccess, key, t.name) });
      } catch (e) {
        problems.push({ major: v.major, tier: t.name, message: e instanceof Error ? e.message : String(e) });
        unservable.push({ tier: t.name, reason: "its masking policy does not compile" });
      }
    }
    if (product.tiers.length === 0) problems.push({ major: v.major, message: "the product has no masking tier" });
    majors.push({ major: v.major, version: v.version, validate, tiers, unservable });
  }
  if (majors.length === 0 && problems.length === 0) problems.push({ message: "no serving contract version" });
  return { productId: product.id, slug: product.slug, sourceTopic: product.sourceTopic, dlqTopic: dlqTopicName(product.slug), majors, problems, signature: planSignature(product, now) };
}

// ---- Routing one record ----------------------------------------------------------------------

export type SourceRecord = { key: Buffer | null; value: Buffer | null };

export type Delivery = { topic: string; major: number; version: string; value: Buffer };

export type RouteOutcome =
  | { kind: "deliver"; deliveries: Delivery[] }
  | { kind: "dlq"; reason: string; reasons: string[]; field?: string; rule?: string; version?: string };

/**
 * Largest key + value the router produces: the broker's 1 MiB batch limit less room for the
 * batch header, the record's framing and the version header.
 */
export const OUTPUT_MAX_BYTES = RECORD_MAX_BYTES - 1_024;

export type RouteOptions = {
  /** Largest source value accepted, bytes. */
  maxRecordBytes?: number;
  /** Largest delivered record (key + masked value), bytes: one over it could never be produced. */
  maxOutputBytes?: number;
  now?: number;
};

/** The field named at the start of a reason ("amount: must be number"), if any. */
function reasonField(reason: string): string | undefined {
  const field = /^([^\s:][^:]*): /.exec(reason)?.[1];
  return field && field !== "(root)" ? field : undefined;
}

function dlq(reasons: string[], version?: string, field?: string): RouteOutcome {
  const reason = reasons[0] ?? "record is invalid";
  const rule = /^rule ([^\s:]+)/.exec(reason)?.[1];
  return { kind: "dlq", reason, reasons, rule, field: rule ? undefined : (field ?? reasonField(reason)), version };
}

/**
 * Routes one source record: missing key, undecodable, too large or invalid for every serving
 * major → DLQ; otherwise the masked value for every tier of every major it is valid for. A
 * masking failure in any tier sends the whole record to the DLQ, so tiers never disagree about
 * which records exist and nothing goes out unmasked. Never throws for any input.
 */
export function routeRecord(route: ProductRoute, record: SourceRecord, opts: RouteOptions = {}): RouteOutcome {
  const newest = route.majors[0]?.version;
  if (!record.key || record.key.byteLength === 0) return dlq(["record has no key"], newest);
  const decoded = decodeRecord(record.value, opts.maxRecordBytes ?? RECORD_MAX_BYTES);
  if (!decoded.ok) return dlq([decoded.reason], newest);
  if (route.majors.length === 0) return dlq(["no serving contract version"]);
  const now = opts.now ?? Date.now();
  const maxOut = opts.maxOutputBytes ?? OUTPUT_MAX_BYTES;
  const keyBytes = record.key.byteLength;
  const deliveries: Delivery[] = [];
  let firstReasons: string[] | null = null;
  let validMajors = 0;
  for (const m of route.majors) {
    const result = m.validate(decoded.value, now);
    if (!result.ok) {
      firstReasons ??= result.reasons;
      continue;
    }
    validMajors++;
    if (m.unservable.length > 0) {
      const u = m.unservable[0];
      return dlq([`tier ${u.tier} (v${m.major}) cannot be served: ${u.reason}`], m.version);
    }
    if (m.tiers.length === 0) return dlq([`no masking tier to deliver v${m.major} to`], m.version);
    for (const t of m.tiers) {
      let masked;
      try {
        masked = t.mask(decoded.value);
      } catch (e) {
        masked = { ok: false as const, reason: e instanceof Error ? e.message : "masking threw" };
      }
      if (!masked.ok) return dlq([`masking failed in tier ${t.name} (v${m.major}): ${masked.reason}`], m.version, reasonField(masked.reason));
      const value = Buffer.from(JSON.stringify(masked.value));
      // Masking can grow a record (hashes are 64 characters): one too large to produce would
      // stall its partition for ever, so it goes to the DLQ like a too-large source record.
      if (keyBytes + value.byteLength > maxOut) return dlq([`masked record is larger than ${maxOut} bytes in tier ${t.name} (v${m.major})`], m.version);
      deliveries.push({ topic: t.topic, major: m.major, version: m.version, value });
    }
  }
  if (validMajors === 0) return dlq(firstReasons ?? ["record is invalid"], newest);
  return { kind: "deliver", deliveries };
}
