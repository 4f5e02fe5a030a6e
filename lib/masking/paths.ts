/**
 * Field path syntax, the one db/seed and contract_versions.fields already use:
 *
 *   subscriber.msisdn     a property of a nested object
 *   signals[]             an array of scalars (the rule applies to every element)
 *   cells[].id            a property of every object in an array
 *
 * Segments are separated by "."; a segment may end in "[]" once. Keys that contain ".", "[" or
 * "]" cannot be named, and arrays of arrays are not supported: such data must be reshaped or
 * dropped, because the engine never passes what the contract cannot name.
 */

export type PathSegment = { key: string; array: boolean };

/** Deeper paths than this are refused: no real contract needs them, and they bound recursion. */
export const MAX_PATH_DEPTH = 32;

const SEGMENT = /^([^.[\]]+)(\[\])?$/;

export function parseFieldPath(path: string): { ok: true; segments: PathSegment[] } | { ok: false; message: string } {
  if (typeof path !== "string" || path.length === 0) return { ok: false, message: "The field path is empty." };
  const raw = path.split(".");
  if (raw.length > MAX_PATH_DEPTH) return { ok: false, message: `The field path is deeper than ${MAX_PATH_DEPTH} levels.` };
  const segments: PathSegment[] = [];
  for (const part of raw) {
    const m = SEGMENT.exec(part);
    if (!m) {
      return {
        ok: false,
        message: `"${path}" is not a valid field path: use dotted names, with "[]" after an array (e.g. cells[].id).`,
      };
    }
    segments.push({ key: m[1], array: m[2] === "[]" });
  }
  return { ok: true, segments };
}
