/**
 * String formats shared by inference and validation. Inference uses the very checks ajv-formats
 * runs at validation time, so an inferred format can never reject a sample it was inferred from.
 */
import formatsPlugin from "ajv-formats";

/** Formats inference may assign, in priority order (the first that every sample matches wins). */
export const INFERRED_FORMATS = ["uuid", "date-time", "date", "email", "ipv4", "uri"] as const;
export type InferredFormat = (typeof INFERRED_FORMATS)[number];

type FormatCheck = (s: string) => boolean;

function toCheck(def: unknown): FormatCheck {
  if (def instanceof RegExp) return (s) => def.test(s);
  if (typeof def === "function") return (s) => Boolean((def as (x: string) => unknown)(s));
  if (def && typeof def === "object" && "validate" in def) return toCheck((def as { validate: unknown }).validate);
  return () => false;
}

// ajv-formats' "uri" accepts anything with a scheme ("note:later"); inference wants real locators.
const URI_LOCATOR = /^(?:https?|wss?|ftp|s3|gs|kafka):\/\/[^\s/]+\S*$/i;
// ajv-formats' "uuid" also accepts a "urn:uuid:" prefix; a plain UUID column should not claim it.
const PLAIN_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CHECKS: Record<InferredFormat, FormatCheck> = {
  uuid: (() => {
    const base = toCheck(formatsPlugin.get("uuid"));
    return (s: string) => PLAIN_UUID.test(s) && base(s);
  })(),
  "date-time": toCheck(formatsPlugin.get("date-time")),
  date: toCheck(formatsPlugin.get("date")),
  email: toCheck(formatsPlugin.get("email")),
  ipv4: toCheck(formatsPlugin.get("ipv4")),
  uri: (() => {
    const base = toCheck(formatsPlugin.get("uri"));
    return (s: string) => URI_LOCATOR.test(s) && base(s);
  })(),
};

export function matchesFormat(format: InferredFormat, value: string): boolean {
  // Format strings are short; a long value is never one of these and would only cost regex time.
  return value.length <= 2048 && CHECKS[format](value);
}
