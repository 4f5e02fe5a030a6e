/**
 * Contract versions are plain MAJOR.MINOR.PATCH (no pre-release or build tags: a contract
 * version is either published or a draft, and drafts are not versions consumers can pin).
 */

export type SemVer = { major: number; minor: number; patch: number };
export type Bump = "major" | "minor" | "patch";

const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export function parseSemver(text: string): SemVer | null {
  const m = SEMVER.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function formatSemver(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareSemver(a: SemVer | string, b: SemVer | string): number {
  const x = typeof a === "string" ? mustParse(a) : a;
  const y = typeof b === "string" ? mustParse(b) : b;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export function bumpSemver(v: SemVer | string, bump: Bump): SemVer {
  const x = typeof v === "string" ? mustParse(v) : v;
  if (bump === "major") return { major: x.major + 1, minor: 0, patch: 0 };
  if (bump === "minor") return { major: x.major, minor: x.minor + 1, patch: 0 };
  return { major: x.major, minor: x.minor, patch: x.patch + 1 };
}

/** The bump that leads from `from` to `to`, or null when `to` is not greater than `from`. */
export function bumpBetween(from: SemVer | string, to: SemVer | string): Bump | null {
  const x = typeof from === "string" ? mustParse(from) : from;
  const y = typeof to === "string" ? mustParse(to) : to;
  if (compareSemver(y, x) <= 0) return null;
  if (y.major !== x.major) return "major";
  if (y.minor !== x.minor) return "minor";
  return "patch";
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/**
 * Publish check for a new version: it must be greater than the previous one and bump at least
 * what the changes require. Returns a message for the owner, or null when the version is fine.
 */
export function checkVersionBump(previous: string, next: string, required: Bump): string | null {
  const p = parseSemver(previous);
  const n = parseSemver(next);
  if (!p) return `previous version '${previous}' is not MAJOR.MINOR.PATCH`;
  if (!n) return `version '${next}' is not MAJOR.MINOR.PATCH`;
  const actual = bumpBetween(p, n);
  if (!actual) return `version ${next} must be greater than ${previous}`;
  if (RANK[actual] < RANK[required]) {
    return `these changes need a ${required} version (${formatSemver(bumpSemver(p, required))}), not a ${actual} one`;
  }
  return null;
}

function mustParse(text: string): SemVer {
  const v = parseSemver(text);
  if (!v) throw new Error(`not a MAJOR.MINOR.PATCH version: ${text}`);
  return v;
}
