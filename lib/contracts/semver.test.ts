import { describe, expect, it } from "vitest";
import { bumpBetween, bumpSemver, checkVersionBump, compareSemver, formatSemver, parseSemver } from "./semver";

describe("semver", () => {
  it("parses strict MAJOR.MINOR.PATCH only", () => {
    expect(parseSemver("1.2.3")).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseSemver(" 0.10.0 ")).toEqual({ major: 0, minor: 10, patch: 0 });
    for (const bad of ["1.2", "1.2.3.4", "01.2.3", "1.2.3-beta", "v1.2.3", "", "a.b.c"]) expect(parseSemver(bad), bad).toBeNull();
  });

  it("compares numerically, not as text", () => {
    expect(compareSemver("1.10.0", "1.9.9")).toBeGreaterThan(0);
    expect(compareSemver("2.0.0", "10.0.0")).toBeLessThan(0);
    expect(compareSemver("1.2.3", "1.2.3")).toBe(0);
    expect(["1.10.0", "1.2.0", "0.9.1"].sort(compareSemver)).toEqual(["0.9.1", "1.2.0", "1.10.0"]);
    expect(() => compareSemver("x", "1.0.0")).toThrow();
  });

  it("bumps and resets lower parts", () => {
    expect(formatSemver(bumpSemver("1.4.7", "major"))).toBe("2.0.0");
    expect(formatSemver(bumpSemver("1.4.7", "minor"))).toBe("1.5.0");
    expect(formatSemver(bumpSemver("1.4.7", "patch"))).toBe("1.4.8");
    expect(bumpBetween("1.4.7", "2.0.0")).toBe("major");
    expect(bumpBetween("1.4.7", "1.4.7")).toBeNull();
  });

  it("checks that a new version bumps at least what the changes require", () => {
    expect(checkVersionBump("1.4.7", "2.0.0", "major")).toBeNull();
    expect(checkVersionBump("1.4.7", "1.5.0", "major")).toBe("these changes need a major version (2.0.0), not a minor one");
    expect(checkVersionBump("1.4.7", "1.4.8", "minor")).toMatch(/minor version \(1\.5\.0\)/);
    expect(checkVersionBump("1.4.7", "1.4.6", "patch")).toBe("version 1.4.6 must be greater than 1.4.7");
    expect(checkVersionBump("1.4.7", "2.0", "patch")).toMatch(/not MAJOR.MINOR.PATCH/);
  });
});
