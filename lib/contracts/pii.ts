/**
 * PII suggestions for the publish wizard. They are hints an owner confirms, so they lean towards
 * flagging: a false "quasi" costs one click, a missed MSISDN leaks subscribers.
 *
 * Categories: direct identifiers single out a person on their own (MSISDN, email, IMSI, IMEI,
 * IBAN, card number, name, street address, national ids); quasi-identifiers do so in combination
 * (birth date, postcode, precise location, IP address, gender, pseudonymous person ids); sensitive
 * attributes are special-category or financial data (health, religion, ethnicity, salary,
 * credentials). When name and values disagree, the more protective category wins.
 */
import type { PiiCategory } from "./types";

export type PiiSuggestion = { category: PiiCategory; reason: string };

const RANK: Record<PiiCategory, number> = { none: 0, quasi: 1, sensitive: 2, direct: 3 };

type NameRule = { tokens: string[][]; category: PiiCategory; reason: string };

/**
 * Token sequences matched against the field name split into lowercase words ("subscriberMsisdn"
 * -> ["subscriber", "msisdn"]). A rule matches when its tokens appear consecutively.
 */
const NAME_RULES: NameRule[] = [
  { tokens: [["msisdn"], ["phone"], ["phone", "number"], ["mobile"], ["mobile", "number"], ["telephone"], ["tel"], ["cli"], ["a", "number"], ["b", "number"], ["calling", "number"], ["called", "number"]], category: "direct", reason: "a phone number (MSISDN) identifies a subscriber" },
  { tokens: [["email"], ["e", "mail"], ["mail"], ["email", "address"]], category: "direct", reason: "an email address identifies a person" },
  { tokens: [["imsi"], ["supi"], ["suci"]], category: "direct", reason: "an IMSI/SUPI identifies a SIM subscription" },
  { tokens: [["imei"], ["imeisv"], ["pei"]], category: "direct", reason: "an IMEI identifies a personal device" },
  { tokens: [["iccid"]], category: "direct", reason: "an ICCID identifies a SIM card and its subscriber" },
  { tokens: [["iban"], ["bic", "iban"], ["account", "number"], ["bank", "account"]], category: "direct", reason: "a bank account number identifies its holder" },
  { tokens: [["pan"], ["card", "number"], ["cc", "number"], ["credit", "card"], ["ccnum"]], category: "direct", reason: "a payment card number identifies its holder (PCI DSS)" },
  { tokens: [["ssn"], ["passport"], ["national", "id"], ["tax", "id"], ["bsn"], ["nino"], ["driver", "license"], ["drivers", "license"]], category: "direct", reason: "a national or government id identifies a person" },
  { tokens: [["first", "name"], ["last", "name"], ["full", "name"], ["given", "name"], ["family", "name"], ["surname"], ["firstname"], ["lastname"], ["fullname"], ["display", "name"]], category: "direct", reason: "a person's name identifies them" },
  { tokens: [["address"], ["street"], ["street", "address"], ["home", "address"], ["billing", "address"]], category: "direct", reason: "a street address identifies a household" },
  { tokens: [["dob"], ["date", "of", "birth"], ["birth", "date"], ["birthdate"], ["birthday"], ["birth", "year"]], category: "quasi", reason: "a birth date narrows a person down in combination with other fields" },
  { tokens: [["postcode"], ["postal", "code"], ["zip"], ["zipcode"], ["zip", "code"]], category: "quasi", reason: "a postcode narrows a person down in combination with other fields" },
  { tokens: [["lat"], ["lon"], ["lng"], ["latitude"], ["longitude"], ["geo"], ["geohash"], ["coordinates"], ["location"], ["gps"]], category: "quasi", reason: "a precise location can single out a person's home or workplace" },
  { tokens: [["ip"], ["ip", "address"], ["ipv4"], ["ipv6"], ["ipaddress"], ["mac"], ["mac", "address"], ["user", "agent"]], category: "quasi", reason: "network addresses identify a device and its user indirectly" },
  { tokens: [["gender"], ["sex"], ["age"], ["nationality"]], category: "quasi", reason: "a demographic attribute narrows a person down in combination" },
  { tokens: [["username"], ["user", "name"], ["login"], ["created", "by"], ["updated", "by"], ["approved", "by"], ["override", "by"], ["changed", "by"], ["modified", "by"]], category: "direct", reason: "a user name identifies the person who acted" },
  { tokens: [["account", "id"], ["contract", "id"], ["device", "id"], ["meter", "id"], ["mpan"], ["serving", "cell"]], category: "quasi", reason: "an account, device, meter or serving-cell id links records back to a person or place" },
  { tokens: [["health"], ["diagnosis"], ["medical"], ["disability"], ["religion"], ["ethnicity"], ["ethnic"], ["race"], ["sexual"], ["political"], ["union", "member"], ["biometric"], ["genetic"]], category: "sensitive", reason: "special-category personal data (GDPR art. 9)" },
  { tokens: [["salary"], ["income"], ["credit", "score"], ["debt"], ["balance"], ["wage"]], category: "sensitive", reason: "financial situation of a person" },
  { tokens: [["password"], ["passwd"], ["secret"], ["pin"], ["cvv"], ["cvc"], ["token"], ["api", "key"]], category: "sensitive", reason: "a credential or secret" },
  { tokens: [["notes"], ["note"], ["comment"], ["comments"], ["remittance"], ["memo"], ["free", "text"]], category: "sensitive", reason: "free text may carry personal or special-category data" },
  { tokens: [["typology"], ["suspicion"], ["criminal"], ["offence"], ["offense"], ["conviction"]], category: "sensitive", reason: "suspected or proven offences (GDPR art. 10)" },
];

/** Words that make a bare "name" field a person's name rather than a cell's or a product's. */
const PERSON_CONTEXT = new Set([
  "customer", "subscriber", "user", "person", "holder", "cardholder", "contact", "employee", "patient", "owner", "caller", "callee",
  "recipient", "sender", "payer", "payee", "driver", "passenger", "member", "client", "trader", "analyst", "agent", "counterparty", "party",
]);
/** Leaf words that identify whoever the context names: customer.id, trader_id, counterparty.number, payer.name. */
const PERSON_LEAVES = new Set(["name", "id", "number", "msisdn"]);

/** Splits "subscriberMSISDN_hash" into ["subscriber", "msisdn", "hash"]. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function containsSequence(tokens: string[], seq: string[]): boolean {
  outer: for (let i = 0; i + seq.length <= tokens.length; i++) {
    for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

function fromName(path: string): PiiSuggestion | null {
  const segments = path.split(".").map((s) => s.replace(/\[\]$/, "")).filter(Boolean);
  const leaf = segments.at(-1) ?? "";
  const tokens = nameTokens(leaf);
  let best: PiiSuggestion | null = null;
  // A rule matches anywhere in the leaf name, or as the tail of parent + leaf ("meter.id").
  const withParent = [...nameTokens(segments.at(-2) ?? ""), ...tokens];
  const endsWith = (seq: string[]) => seq.length <= withParent.length && seq.every((t, i) => withParent[withParent.length - seq.length + i] === t);
  for (const rule of NAME_RULES) {
    if (best && RANK[rule.category] <= RANK[best.category]) continue;
    if (rule.tokens.some((seq) => containsSequence(tokens, seq) || endsWith(seq))) {
      best = { category: rule.category, reason: `name '${segments.slice(-2).join(".")}': ${rule.reason}` };
    }
  }
  if (!best || RANK[best.category] < RANK.direct) {
    // "name", "id", "number" alone: a person's only when the field or its parent says whose
    // (customer.id, trader_id), not for cell.name or order.number.
    const context = [...nameTokens(segments.at(-2) ?? ""), ...tokens.slice(0, -1)];
    const last = tokens.at(-1) ?? "";
    if (PERSON_LEAVES.has(last) && context.some((t) => PERSON_CONTEXT.has(t))) {
      best = { category: "direct", reason: `name '${segments.slice(-2).join(".")}': the ${last} of a person identifies them` };
    }
  }
  return best;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[a-z]{2,}$/i;
const E164 = /^\+[1-9]\d{7,14}$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const CARD = /^\d{13,19}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i;

/** Luhn checksum, used by payment cards and IMEIs. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 mod-97 check of an IBAN without spaces. */
export function ibanValid(iban: string): boolean {
  if (!IBAN.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : ch;
    for (const c of chunk) rem = (rem * 10 + (c.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

type ValueRule = { test: (s: string) => boolean; category: PiiCategory; what: string };

const VALUE_RULES: ValueRule[] = [
  { test: (s) => EMAIL.test(s), category: "direct", what: "email addresses" },
  { test: (s) => E164.test(s.replace(/[\s-]/g, "")), category: "direct", what: "E.164 phone numbers" },
  { test: (s) => ibanValid(s.replace(/\s/g, "").toUpperCase()), category: "direct", what: "IBANs" },
  {
    test: (s) => {
      const d = s.replace(/[\s-]/g, "");
      return CARD.test(d) && luhnValid(d);
    },
    category: "direct",
    what: "Luhn-valid card numbers or IMEIs",
  },
  { test: (s) => IPV4.test(s) || (s.includes(":") && IPV6.test(s)), category: "quasi", what: "IP addresses" },
];

/**
 * A value-pattern category needs this share of the non-null sampled values to match: a field
 * where 1 in 10 values happens to pass a Luhn check is an id column, not card numbers.
 */
export const PII_VALUE_SHARE = 0.8;
const MAX_VALUES_CHECKED = 200;

function fromValues(values: readonly unknown[]): PiiSuggestion | null {
  const strings: string[] = [];
  for (const v of values) {
    if (strings.length >= MAX_VALUES_CHECKED) break;
    if (typeof v === "string" && v.length <= 320) strings.push(v.trim());
    else if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) strings.push(String(v));
  }
  if (strings.length === 0) return null;
  let best: PiiSuggestion | null = null;
  for (const rule of VALUE_RULES) {
    if (best && RANK[rule.category] <= RANK[best.category]) continue;
    const hits = strings.filter(rule.test).length;
    if (hits >= Math.ceil(strings.length * PII_VALUE_SHARE)) {
      best = { category: rule.category, reason: `${hits} of ${strings.length} sampled values look like ${rule.what}` };
    }
  }
  return best;
}

/**
 * Suggests a PII category for a field from its path (the last segment, and its parent for bare
 * "name") and, when given, the values sampled at that path.
 */
export function suggestPii(path: string, sampleValues: readonly unknown[] = []): PiiSuggestion {
  const byName = fromName(path);
  const byValue = fromValues(sampleValues);
  if (byName && byValue) {
    if (RANK[byValue.category] > RANK[byName.category]) return byValue;
    return byValue.category === byName.category ? { category: byName.category, reason: `${byName.reason}; ${byValue.reason}` } : byName;
  }
  return byName ?? byValue ?? { category: "none", reason: "no identifying name or value pattern found" };
}
