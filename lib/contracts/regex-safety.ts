/**
 * Guards for owner-written regular expressions, which run on every record in the router.
 * JavaScript regexes backtrack, so a pattern like (a+)+$ can take exponential time on a crafted
 * value. At publish time we reject the shapes that cause that; at run time the input length is
 * capped (REGEX_MAX_INPUT), which bounds the polynomial cases the heuristics let through.
 *
 * Rejected: backreferences; a quantified group containing an unbounded quantifier (or any
 * quantifier, when the group itself repeats without bound); an unboundedly repeated group whose
 * alternatives may start alike ((a|ab)*, (\w|\d)+); adjacent unbounded repeats of the same atom or of "."
 * (".*.*", "\d+\d*"). This is a conservative heuristic, not a proof of linear time.
 */

export const REGEX_MAX_LENGTH = 512;
export const REGEX_MAX_INPUT = 1024;
export const REGEX_ALLOWED_FLAGS = /^[imsu]*$/;

type Frame = { hasQuantifier: boolean; hasUnbounded: boolean; alternatives: string[]; current: string; atStart: boolean };

type Quant = { max: number; length: number };

function readQuantifier(p: string, i: number): Quant | null {
  const c = p[i];
  let q: Quant | null = null;
  if (c === "*") q = { max: Infinity, length: 1 };
  else if (c === "+") q = { max: Infinity, length: 1 };
  else if (c === "?") q = { max: 1, length: 1 };
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (m) {
      const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Infinity : Number(m[3]);
      q = { max, length: m[0].length };
    }
  }
  if (q && p[i + q.length] === "?") q.length += 1; // lazy form
  return q;
}

function newFrame(): Frame {
  return { hasQuantifier: false, hasUnbounded: false, alternatives: [], current: "", atStart: true };
}

/** Returns why a pattern is unsafe or invalid, or null when it may be used. */
export function checkPatternSafety(pattern: string, flags = ""): string | null {
  if (pattern.length > REGEX_MAX_LENGTH) return `pattern is longer than ${REGEX_MAX_LENGTH} characters`;
  if (!REGEX_ALLOWED_FLAGS.test(flags)) return `flags '${flags}' are not allowed (use i, m, s, u)`;
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `pattern does not compile: ${(e as Error).message}`;
  }
  const stack: Frame[] = [newFrame()];
  let prevAtom: { text: string; unbounded: boolean } | null = null;
  let i = 0;
  const top = () => stack[stack.length - 1];
  while (i < pattern.length) {
    const c = pattern[i];
    let atom: string | null = null;
    let group: Frame | null = null;
    if (c === "\\") {
      const n = pattern[i + 1] ?? "";
      if (/[1-9]/.test(n) || (n === "k" && pattern[i + 2] === "<")) return "backreferences are not allowed in patterns";
      atom = pattern.slice(i, i + 2);
      i += 2;
    } else if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      atom = pattern.slice(i, j + 1);
      i = j + 1;
    } else if (c === "(") {
      stack.push(newFrame());
      const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i, i + 40));
      i += m ? m[0].length : 1;
      prevAtom = null;
      continue;
    } else if (c === ")") {
      group = stack.pop()!;
      group.alternatives.push(group.current);
      atom = `(${group.alternatives.join("|")})`;
      i += 1;
    } else if (c === "|") {
      const f = top();
      f.alternatives.push(f.current);
      f.current = "";
      prevAtom = null;
      i += 1;
      continue;
    } else {
      atom = c;
      i += 1;
    }
    const q = readQuantifier(pattern, i);
    const f = top();
    if (q) {
      i += q.length;
      if (group) {
        if (group.hasUnbounded && q.max > 1) return `nested quantifiers: ${atom} repeats a repeated part (catastrophic backtracking)`;
        if (q.max === Infinity && group.hasQuantifier) return `nested quantifiers: ${atom} repeats a repeated part (catastrophic backtracking)`;
        if (q.max === Infinity && overlappingAlternatives(group.alternatives)) return `alternatives of the repeated group ${atom} overlap (catastrophic backtracking)`;
      }
      const unbounded = q.max === Infinity;
      if (unbounded && prevAtom?.unbounded && (prevAtom.text === atom || prevAtom.text === "." || atom === ".")) {
        return `adjacent repeats ${prevAtom.text}${atom} can match the same text (catastrophic backtracking)`;
      }
      f.hasQuantifier = true;
      if (unbounded) f.hasUnbounded = true;
      prevAtom = { text: atom, unbounded };
    } else {
      prevAtom = { text: atom, unbounded: false };
    }
    if (group) {
      f.hasQuantifier ||= group.hasQuantifier;
      f.hasUnbounded ||= group.hasUnbounded;
    }
    f.current += atom;
  }
  return null;
}

function firstAtom(s: string): string {
  if (s.startsWith("\\")) return s.slice(0, 2);
  if (s.startsWith("[")) return s.slice(0, s.indexOf("]") + 1);
  return s.slice(0, 1);
}

/**
 * Alternatives of a repeated group must start with distinct literal characters: two that can
 * start the same way ((a|ab)*, (\w|\d)+, (a|[a-z])*) let the engine split input in exponentially
 * many ways. Classes, ".", groups and empty alternatives are treated as overlapping anything.
 */
function overlappingAlternatives(alts: string[]): boolean {
  if (alts.length < 2) return false;
  const firsts = alts.map(firstAtom);
  const literal = (a: string) => a.length > 0 && a !== "." && a !== "(" && a !== "[" && !a.startsWith("[") && !/^\\[A-Za-z0-9]/.test(a);
  if (!firsts.every(literal)) return true;
  return new Set(firsts.map((a) => a.toLowerCase())).size < firsts.length;
}

/** Compiles a checked pattern, or throws with the safety reason. */
export function compileSafePattern(pattern: string, flags = ""): RegExp {
  const reason = checkPatternSafety(pattern, flags);
  if (reason) throw new Error(reason);
  return new RegExp(pattern, flags);
}
