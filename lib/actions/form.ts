import { z } from "zod";

/**
 * FormData to a plain object for zod. Repeated keys become arrays (checkbox groups, multi
 * selects); empty strings become undefined, because an untouched optional input posts "" and
 * should read as "not given", not as a value that fails `.uuid()` or `.email()`. Files pass
 * through unchanged.
 */
export function formDataToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const values = form.getAll(key).filter((v) => v !== "");
    if (values.length === 0) continue;
    out[key] = values.length === 1 && !key.endsWith("[]") ? values[0] : values;
  }
  return out;
}

/** An array field that tolerates a single value or none, as checkbox groups post. */
export function formArray<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

/** A checkbox: present ("on", "true", "1") is true, absent is false. */
export function formCheckbox() {
  return z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
}
