/**
 * Publish checks: what must hold before a product (or a new contract version) reaches the
 * catalog. Pure functions over plain data, no I/O; the caller supplies what needs the database
 * (is the slug taken) and the masking key. Every issue names the wizard step it belongs to and a
 * field key, so the review page links back to the exact place and forms show it next to the
 * input. Field keys:
 *   basics.slug · source.topic · schema.text · fields.<path> · contract.purposes ·
 *   contract.rules.<ruleId> · tiers.<tier>.<path> · tiers.<tier> · plans.<index>.<field>
 *
 * The other helpers (versioning) reuse checkSchemaText, classifyFields, checkTiers, checkPlans
 * and checkQualityRules one by one; runPublishChecks bundles them for the first publish.
 */
import {
  checkRules,
  checkSchema,
  compileContract,
  decodeRecord,
  parseSamples,
  parseSchemaText,
  ContractCompileError,
  type ContractField,
  type SchemaFormat,
} from "@/lib/contracts";
import { compileMaskingPolicy, MAX_FIELDS, MaskingPolicyError, validateTierRules } from "@/lib/masking";
import type { Step } from "./schemas";

export type CheckIssue = { step: Step; field: string; message: string };
export type CheckResult = { ok: boolean; issues: CheckIssue[]; warnings: CheckIssue[]; fieldErrors: Record<string, string[]> };

export function toFieldErrorMap(issues: readonly CheckIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[i.field] ??= []).push(i.message);
  return out;
}

// ---- schema --------------------------------------------------------------------------------

export type SchemaTextCheck =
  | { ok: true; schema: unknown; fields: ContractField[] }
  | { ok: false; issues: CheckIssue[] };

/**
 * The schema step: the text parses as JSON, is a valid JSON Schema / Avro schema with safe
 * regexes, and flattens to a finite field list. The field limit is lib/contracts' FIELDS_MAX
 * (2,000): it refuses recursion and bigger schemas while flattening, before ajv compiles
 * anything, so a 10,000-field upload is answered at once with that message. The masking
 * engine's own cap (MAX_FIELDS, 5,000) is checked again here only so that the two limits
 * cannot drift apart unnoticed: whatever lib/contracts accepts must also be maskable.
 */
export function checkSchemaText(format: SchemaFormat, text: string): SchemaTextCheck {
  const parsed = parseSchemaText(text);
  if (!parsed.ok) return { ok: false, issues: [{ step: "schema", field: "schema.text", message: capitalize(parsed.message) + "." }] };
  const check = checkSchema(format, parsed.schema);
  if (!check.ok) {
    return {
      ok: false,
      issues: check.issues.slice(0, 10).map((i) => ({
        step: "schema" as const,
        field: "schema.text",
        message: `${i.path ? `At ${i.path}: ` : ""}${capitalize(i.message)}${/[.!?]$/.test(i.message) ? "" : "."}`,
      })),
    };
  }
  if (check.fields.length > MAX_FIELDS) {
    return { ok: false, issues: [{ step: "schema", field: "schema.text", message: `The schema has ${check.fields.length} fields; at most ${MAX_FIELDS} are supported.` }] };
  }
  if (check.fields.filter((f) => f.path !== "").length === 0) {
    return { ok: false, issues: [{ step: "schema", field: "schema.text", message: "The schema declares no fields; describe the record's properties." }] };
  }
  return { ok: true, schema: parsed.schema, fields: check.fields };
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// ---- source ---------------------------------------------------------------------------------

/**
 * Topics the platform writes itself (delivery, DLQ, internal: all under `tributary.`) and Kafka's
 * own (`__consumer_offsets`, `_schemas`) are never a source: publishing a delivery topic would
 * resell another product's masked stream outside its contract, a DLQ holds rejected, unmasked
 * records. Enforced by every server path that sets or uses a source, not only the topic list.
 */
export function isSourceCandidate(topic: string): boolean {
  return !topic.startsWith("tributary.") && !topic.startsWith("__") && !topic.startsWith("_");
}

export const NOT_A_SOURCE_MESSAGE = "This topic is written by Tributary itself (delivery, DLQ or internal) or by Kafka; it cannot be the source of a product.";

/**
 * One sampled record as the router would see it: `reject` is why decodeRecord (the router's own
 * decoder) refuses it — not UTF-8, not JSON, no value, too large — or null when it decodes.
 * Sampling computes it on the full record; the stored value may be cut for display.
 */
export type SampledRecord = { value: string | null; reject: string | null };

export function toSampledRecords(values: readonly (string | null)[]): SampledRecord[] {
  return values.map((value) => {
    const d = decodeRecord(value);
    return { value, reject: d.ok ? null : d.reason };
  });
}

export const NO_JSON_MESSAGE = "No sampled message is JSON; the router delivers JSON records only. Choose a topic whose messages are JSON.";

/**
 * The router delivers JSON records only and sends everything else to the DLQ, so a topic whose
 * sampled messages are all undecodable would publish a product that never delivers a record:
 * an error. Some undecodable ones: a warning (they will be counted in the DLQ). No messages at
 * all: a warning, the schema and rules could not be tried on real data.
 */
export function checkSampleDecoding(records: readonly SampledRecord[]): { issues: CheckIssue[]; warnings: CheckIssue[] } {
  const at = (message: string): CheckIssue => ({ step: "source", field: "source.topic", message });
  if (records.length === 0) {
    return { issues: [], warnings: [at("The topic had no messages when it was sampled: the schema, rules and masking were not tried on real records. Sample it again once it has data.")] };
  }
  const rejected = records.filter((r) => r.reject !== null);
  const reasons = [...new Set(rejected.map((r) => r.reject))].slice(0, 3).join("; ");
  if (rejected.length === records.length) return { issues: [at(`${NO_JSON_MESSAGE} (${reasons})`)], warnings: [] };
  if (rejected.length > 0) {
    return { issues: [], warnings: [at(`${rejected.length} of ${records.length} sampled messages cannot be routed (${reasons}); the router sends such records to the DLQ.`)] };
  }
  return { issues: [], warnings: [] };
}

// ---- fields ---------------------------------------------------------------------------------

export type FieldDoc = { path: string; description: string; pii: ContractField["pii"] };

/**
 * The contract's field list: the schema's fields with the owner's descriptions and PII tags. A
 * schema field the fields step never classified is an issue (it may be personal), and so is a
 * classified field the schema no longer has (the schema changed after the fields step).
 */
export function classifyFields(schemaFields: readonly ContractField[], docs: readonly FieldDoc[] | undefined): { fields: ContractField[]; issues: CheckIssue[] } {
  const byPath = new Map((docs ?? []).map((d) => [d.path, d]));
  const issues: CheckIssue[] = [];
  const fields = schemaFields.map((f) => {
    const doc = byPath.get(f.path);
    if (!doc) {
      if (f.path !== "") issues.push({ step: "fields", field: `fields.${f.path}`, message: `${f.path} has no PII category yet; review the fields step.` });
      return { ...f };
    }
    return { ...f, description: doc.description || f.description, pii: doc.pii };
  });
  const known = new Set(schemaFields.map((f) => f.path));
  for (const d of docs ?? []) {
    if (!known.has(d.path)) issues.push({ step: "fields", field: `fields.${d.path}`, message: `${d.path} is not in the schema any more; save the fields step again.` });
  }
  return { fields, issues };
}

// ---- tiers ----------------------------------------------------------------------------------

export type TierInput = { name: string; fullAccess: boolean; rules: Record<string, unknown> };

/**
 * Every PII field has a rule other than keep in every tier but the one marked full access; at
 * most one tier is full access; names are unique; every tier compiles and masks every sampled
 * record (a rule that cannot handle real data would send the whole stream to the DLQ).
 */
export function checkTiers(fields: readonly ContractField[], tiers: readonly TierInput[], samples: readonly unknown[] = [], key?: Uint8Array): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (tiers.length === 0) return [{ step: "tiers", field: "tiers", message: "Add at least one masking tier." }];
  const full = tiers.filter((t) => t.fullAccess);
  if (full.length > 1) {
    for (const t of full.slice(1)) issues.push({ step: "tiers", field: `tiers.${t.name}`, message: `Only one tier may be full access (${full[0].name} already is).` });
  }
  for (const i of validateTierRules(fields, tiers as TierInput[])) {
    issues.push({ step: i.tier === null ? "fields" : "tiers", field: i.tier === null ? `fields.${i.path}` : i.path ? `tiers.${i.tier}.${i.path}` : `tiers.${i.tier}`, message: i.message });
  }
  if (issues.length || samples.length === 0) return issues;
  const maskKey = key ?? PREVIEW_CHECK_KEY;
  for (const t of tiers) {
    try {
      const mask = compileMaskingPolicy({ fields, rules: t.rules, fullAccess: t.fullAccess, key: maskKey, tier: t.name });
      let failed = 0;
      let first = "";
      for (const s of samples) {
        const r = mask(s);
        if (!r.ok) {
          failed += 1;
          first ||= r.reason;
        }
      }
      if (failed) issues.push({ step: "tiers", field: `tiers.${t.name}`, message: `Tier ${t.name} cannot mask ${failed} of ${samples.length} sampled records (${first}).` });
    } catch (e) {
      if (!(e instanceof MaskingPolicyError)) throw e;
      for (const i of e.issues) issues.push({ step: "tiers", field: i.path ? `tiers.${t.name}.${i.path}` : `tiers.${t.name}`, message: i.message });
    }
  }
  return issues;
}

/** Only validates that tiers mask; outputs made with it are never shown or stored. */
const PREVIEW_CHECK_KEY = new Uint8Array(32).fill(7);

// ---- plans ----------------------------------------------------------------------------------

export type PlanInput = {
  name: string;
  tier: string;
  approval: "auto" | "manual";
  priceModel: "free" | "per_gb" | "per_million_messages" | "flat_monthly";
  priceMinor: number;
  currency: string;
  externalAllowed?: boolean;
  quotaBytesPerSec?: number | null;
  monthlyCapMinor?: number | null;
};

let currencies: Set<string> | null = null;
/** ISO 4217 codes as the runtime's Intl knows them. */
export function isIsoCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf("currency"));
  return currencies.has(code);
}

const MAX_PRICE_MINOR = 1_000_000_000_00;

/**
 * Prices are sane (non-negative whole minor units, zero exactly for free plans, an ISO currency,
 * a non-negative cap), each plan names a tier that exists, and a full-access tier is only sold
 * with owner review.
 */
export function checkPlans(plans: readonly PlanInput[], tiers: readonly TierInput[]): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const at = (i: number, f: string, message: string) => issues.push({ step: "plans", field: `plans.${i}.${f}`, message });
  if (plans.length === 0) return [{ step: "plans", field: "plans", message: "Add at least one plan." }];
  const tierByName = new Map(tiers.map((t) => [t.name, t]));
  const names = new Set<string>();
  plans.forEach((p, i) => {
    const name = p.name.trim().toLowerCase();
    if (names.has(name)) at(i, "name", `Another plan is already called ${p.name}.`);
    names.add(name);
    const tier = tierByName.get(p.tier);
    if (!tier) at(i, "tier", `The tier ${p.tier || "(none)"} does not exist; choose one of ${[...tierByName.keys()].join(", ") || "your tiers"}.`);
    else if (tier.fullAccess && p.approval !== "manual") {
      at(i, "approval", `${tier.name} is the full-access tier (personal data in clear): plans on it need owner review.`);
    }
    if (!Number.isSafeInteger(p.priceMinor) || p.priceMinor < 0) at(i, "priceMinor", "The price must be a whole, non-negative number of minor units (cents).");
    else if (p.priceModel === "free" && p.priceMinor !== 0) at(i, "priceMinor", "A free plan has a price of 0.");
    else if (p.priceModel !== "free" && p.priceMinor === 0) at(i, "priceMinor", "A paid plan needs a price above 0; use the free model otherwise.");
    else if (p.priceMinor > MAX_PRICE_MINOR) at(i, "priceMinor", "The price is implausibly high.");
    if (!/^[A-Z]{3}$/.test(p.currency) || !isIsoCurrency(p.currency)) at(i, "currency", `${p.currency || "(empty)"} is not an ISO 4217 currency code such as EUR.`);
    if (p.monthlyCapMinor !== null && p.monthlyCapMinor !== undefined) {
      if (!Number.isSafeInteger(p.monthlyCapMinor) || p.monthlyCapMinor < 0) at(i, "monthlyCapMinor", "The monthly cap must be a whole, non-negative number of minor units.");
      else if (p.priceModel === "free" && p.monthlyCapMinor > 0) at(i, "monthlyCapMinor", "A free plan has nothing to cap.");
    }
    if (p.quotaBytesPerSec !== null && p.quotaBytesPerSec !== undefined) {
      if (!Number.isSafeInteger(p.quotaBytesPerSec) || p.quotaBytesPerSec < 1024 || p.quotaBytesPerSec > 2 ** 31 - 1) {
        at(i, "quotaBytesPerSec", "The throughput quota is a whole number of bytes per second from 1024 (1 KiB/s) up.");
      }
    }
  });
  return issues;
}

// ---- rules ----------------------------------------------------------------------------------

/** Quality rules parse, name existing fields of a fitting type, and pass on every sampled record. */
export function checkQualityRules(rules: readonly unknown[], fields: readonly ContractField[], samples: readonly unknown[], now?: number): { issues: CheckIssue[]; warnings: CheckIssue[] } {
  const r = checkRules(rules, fields, samples, { now });
  return {
    issues: r.errors.map((e) => ({ step: "contract" as const, field: `contract.rules.${e.ruleId}`, message: capitalize(e.message) })),
    warnings: r.warnings.map((e) => ({ step: "contract" as const, field: `contract.rules.${e.ruleId}`, message: capitalize(e.message) })),
  };
}

/** Samples that do not match the schema: a warning (the topic may carry a few bad records, which go to the DLQ). */
export function sampleSchemaWarnings(format: SchemaFormat, schema: unknown, samples: readonly unknown[]): CheckIssue[] {
  if (samples.length === 0) return [];
  let validate;
  try {
    validate = compileContract({ schemaFormat: format, schema, qualityRules: [] });
  } catch (e) {
    if (e instanceof ContractCompileError) return [];
    throw e;
  }
  let failed = 0;
  let first = "";
  for (const s of samples) {
    const r = validate(s);
    if (!r.ok) {
      failed += 1;
      first ||= r.reasons[0] ?? "";
    }
  }
  return failed
    ? [{ step: "schema", field: "schema.text", message: `${failed} of ${samples.length} sampled records do not match the schema (${first}); the router will send such records to the DLQ.` }]
    : [];
}

// ---- everything -----------------------------------------------------------------------------

export type PublishCheckInput = {
  slugTaken: boolean;
  source: { topic: string | null; clusterId: string | null } | null;
  schema: { format: SchemaFormat; text: string } | null;
  fieldDocs: readonly FieldDoc[] | null;
  contract: { purposes: string[]; qualityRules: readonly unknown[] } | null;
  tiers: readonly TierInput[] | null;
  plans: readonly PlanInput[] | null;
  /** The sampled records; undecodable ones are checked by checkSampleDecoding and left out of the other checks. */
  samples: readonly SampledRecord[];
  maskingKey?: Uint8Array;
  now?: number;
};

export type PublishCheckResult = CheckResult & { fields: ContractField[]; schema: unknown };

/** All publish checks of a first publish. `ok` means the publish transaction may run. */
export function runPublishChecks(input: PublishCheckInput): PublishCheckResult {
  const issues: CheckIssue[] = [];
  const warnings: CheckIssue[] = [];
  if (input.slugTaken) issues.push({ step: "basics", field: "basics.slug", message: "Another product already uses this slug." });
  if (!input.source?.topic || !input.source.clusterId) issues.push({ step: "source", field: "source.topic", message: "Choose the source topic." });
  else if (!isSourceCandidate(input.source.topic)) issues.push({ step: "source", field: "source.topic", message: NOT_A_SOURCE_MESSAGE });
  else {
    const decoding = checkSampleDecoding(input.samples);
    issues.push(...decoding.issues);
    warnings.push(...decoding.warnings);
  }
  const samples = parseSamples(input.samples.filter((r) => r.reject === null).map((r) => r.value)).values;

  let fields: ContractField[] = [];
  let schema: unknown = null;
  if (!input.schema) issues.push({ step: "schema", field: "schema.text", message: "Add a schema: upload, paste or infer it." });
  else {
    const s = checkSchemaText(input.schema.format, input.schema.text);
    if (!s.ok) issues.push(...s.issues);
    else {
      schema = s.schema;
      const classified = classifyFields(s.fields, input.fieldDocs ?? undefined);
      fields = classified.fields;
      if (!input.fieldDocs) issues.push({ step: "fields", field: "fields", message: "Document the fields and tag personal data." });
      else issues.push(...classified.issues);
      warnings.push(...sampleSchemaWarnings(input.schema.format, s.schema, samples));
    }
  }

  if (!input.contract) issues.push({ step: "contract", field: "contract", message: "Fill in the contract: SLA, retention, purposes and support contact." });
  else {
    if (input.contract.purposes.length === 0) issues.push({ step: "contract", field: "contract.purposes", message: "Name at least one allowed purpose." });
    if (schema !== null) {
      const r = checkQualityRules(input.contract.qualityRules, fields, samples, input.now);
      issues.push(...r.issues);
      warnings.push(...r.warnings);
    }
  }

  if (!input.tiers) issues.push({ step: "tiers", field: "tiers", message: "Define the masking tiers." });
  else if (schema !== null) issues.push(...checkTiers(fields, input.tiers, samples, input.maskingKey));

  if (!input.plans) issues.push({ step: "plans", field: "plans", message: "Add at least one plan." });
  else issues.push(...checkPlans(input.plans, input.tiers ?? []));

  return { ok: issues.length === 0, issues, warnings, fieldErrors: toFieldErrorMap(issues), fields, schema };
}
