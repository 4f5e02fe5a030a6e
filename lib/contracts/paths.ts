/**
 * Field paths (see ContractField): "a.b" for nested properties, "x[]" for every element of an
 * array or every value of a map, "x[][]" for every element of every inner list (the flattener's
 * spelling; "x[].[]" is read as the same position). Property names containing "." or "[]" cannot
 * be addressed; the flattener reports them instead of producing ambiguous paths.
 */
import { isPlainObject, ownValue } from "./types";

export type PathSegment = { key: string; each: boolean };

/** At most this many values are collected for one path of one record (arrays of arrays multiply). */
export const MAX_VALUES_PER_PATH = 10_000;

/** "cells[].rsrp" -> cells(each), rsrp; "matrix[][]" -> matrix(each), (each): nested arrays. */
export function parsePath(path: string): PathSegment[] {
  if (path === "") return [];
  const out: PathSegment[] = [];
  for (const part of path.split(".")) {
    let key = part;
    let depth = 0;
    while (key.endsWith("[]")) {
      key = key.slice(0, -2);
      depth += 1;
    }
    out.push({ key, each: depth > 0 });
    for (let i = 1; i < depth; i++) out.push({ key: "", each: true });
  }
  return out;
}

/** Whether a property name can appear in a path without ambiguity. */
export function isAddressableName(name: string): boolean {
  return name.length > 0 && !name.includes(".") && !name.includes("[]");
}

export function joinPath(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

/**
 * The values at `path` in one record. A plain segment yields undefined when the parent or the
 * property is missing (so a "required" rule sees the gap); an "[]" segment yields one value per
 * element and nothing for a missing, null or empty container (a rule on "cells[].rsrp" says
 * something about each cell, and there are none). A segment with an empty key (the inner "[]" of
 * "matrix[][]", or a root array "[]") iterates the current value itself.
 */
export function valuesAt(record: unknown, path: string | PathSegment[]): unknown[] {
  const segments = typeof path === "string" ? parsePath(path) : path;
  let current: unknown[] = [record];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      const x = seg.key === "" ? v : isPlainObject(v) ? ownValue(v, seg.key) : undefined;
      if (!seg.each) {
        next.push(x);
      } else if (Array.isArray(x)) {
        for (const item of x) {
          if (next.length >= MAX_VALUES_PER_PATH) break;
          next.push(item);
        }
      } else if (isPlainObject(x)) {
        for (const k of Object.keys(x)) {
          if (next.length >= MAX_VALUES_PER_PATH) break;
          next.push(x[k]);
        }
      }
      if (next.length >= MAX_VALUES_PER_PATH) break;
    }
    current = next;
  }
  return current;
}
