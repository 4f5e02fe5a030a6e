/**
 * Field paths, in the syntax of lib/contracts (contract_versions.fields, quality rules, reasons):
 *
 *   subscriber.msisdn     a property of a nested object
 *   signals[]             every element of an array, or every value of a map
 *   cells[].id            a property of every object in an array
 *   matrix[][]            every element of every inner array (also written matrix[].[])
 *
 * Segments are separated by "."; each "[]" after a name steps into the elements (or map values).
 * Property names that contain "." or "[]" cannot be named, so such data never passes: the engine
 * only emits what the contract can name. "" is the record itself.
 */

/** One step down a record: into a named property, or into every element / map value. */
export type PathStep = { key: string } | { each: true };

/** Deeper paths than this are refused: no real contract needs them, and they bound recursion. */
export const MAX_PATH_DEPTH = 32;

export function parseFieldPath(path: string): { ok: true; steps: PathStep[] } | { ok: false; message: string } {
  if (typeof path !== "string") return { ok: false, message: "The field path must be text." };
  if (path === "") return { ok: true, steps: [] };
  const steps: PathStep[] = [];
  for (const part of path.split(".")) {
    let key = part;
    let each = 0;
    while (key.endsWith("[]")) {
      key = key.slice(0, -2);
      each++;
    }
    if ((key === "" && each === 0) || key.includes("[]")) {
      return { ok: false, message: `"${path}" is not a valid field path: use dotted names, with "[]" after an array (cells[].id, matrix[][]).` };
    }
    if (key !== "") steps.push({ key });
    for (let i = 0; i < each; i++) steps.push({ each: true });
  }
  if (steps.length > MAX_PATH_DEPTH) return { ok: false, message: `The field path is deeper than ${MAX_PATH_DEPTH} levels.` };
  return { ok: true, steps };
}

/** The canonical type family of a contract type name (JSON Schema or Avro), or null if mixed/unknown. */
export type ScalarFamily = "string" | "integer" | "number" | "boolean";

const FAMILIES: Record<string, ScalarFamily> = {
  string: "string",
  enum: "string",
  integer: "integer",
  int: "integer",
  long: "integer",
  number: "number",
  float: "number",
  double: "number",
  boolean: "boolean",
};

export function scalarFamily(type: string | undefined): ScalarFamily | null {
  return type !== undefined && Object.hasOwn(FAMILIES, type) ? FAMILIES[type] : null;
}

/** Whether a contract type names a container kind ("object|array" names both). */
export function typeIncludes(type: string | undefined, kinds: readonly string[]): boolean {
  return type !== undefined && type.split("|").some((t) => kinds.includes(t));
}
