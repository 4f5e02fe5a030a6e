export type SearchParamsRecord = Record<string, string | string[] | undefined>;

/**
 * Builds `pathname?query` from the current search params with some keys changed. A change of
 * `undefined` or `null` removes the key; arrays repeat the key (`?tag=a&tag=b`). Keys keep a
 * stable order so equal states give equal URLs (good for caching and for tests).
 */
export function hrefWith(
  pathname: string,
  current: SearchParamsRecord,
  changes: Record<string, string | number | string[] | null | undefined> = {},
): string {
  const merged: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(current)) {
    if (v === undefined) continue;
    merged[k] = Array.isArray(v) ? v : [v];
  }
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null) delete merged[k];
    else merged[k] = Array.isArray(v) ? v : [String(v)];
  }
  const qs = new URLSearchParams();
  for (const k of Object.keys(merged).sort()) {
    for (const v of merged[k]) if (v !== "") qs.append(k, v);
  }
  const s = qs.toString();
  return s ? `${pathname}?${s}` : pathname;
}
