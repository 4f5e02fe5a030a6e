/**
 * A small YAML 1.2 emitter for the export documents (ODCS, AsyncAPI). Block style only, keys in
 * insertion order, two-space indentation. No YAML library is a direct dependency of the app, and
 * emitting (never parsing) plain JSON-like data needs little: the care is in quoting.
 *
 * Strings are written plain only when a YAML 1.1 or 1.2 reader cannot mistake them for anything
 * else (no numbers, booleans, nulls, dates, indicators, ": " or " #"); otherwise double-quoted
 * with JSON escapes (a valid YAML double-quoted scalar). Multi-line strings become literal blocks
 * (`|`, `|-`, `|+` keep the exact trailing newlines). Empty collections are `{}` and `[]`.
 * `undefined` object values are left out, as JSON.stringify does; Dates become ISO strings.
 */

export type YamlValue = null | undefined | boolean | number | string | Date | YamlValue[] | { [key: string]: YamlValue };

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
// Starts with a letter, "_" or "/" and continues with characters that never start YAML syntax.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_ ./@()+,=-]*$/;
// Looks like a sexagesimal/date/time or other typed scalar of YAML 1.1.
const TYPED = /^\d|^[-+.]\d|^\.(?:inf|nan)$/i;

function isPlainSafe(s: string): boolean {
  if (s === "" || s.length > 200) return false;
  if (s !== s.trim()) return false;
  if (RESERVED.test(s) || TYPED.test(s)) return false;
  if (!PLAIN.test(s)) return false;
  return true;
}

export function quoteYamlString(s: string): string {
  return isPlainSafe(s) ? s : JSON.stringify(s);
}

function formatKey(key: string): string {
  return quoteYamlString(key);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  return String(n);
}

/** A literal block can carry the string exactly when no line needs an escape. */
function canBeLiteralBlock(s: string): boolean {
  if (!s.includes("\n")) return false;
  // Control characters other than newline and tab need escapes; a leading space on the first
  // line would need an indentation indicator; CR would be normalized away by readers.
  if (/[\u0000-\u0008\u000b-\u001f\u007f\r\ufeff]/.test(s)) return false;
  if (s.startsWith(" ") || s.startsWith("\t")) return false;
  return true;
}

function literalBlock(s: string): string[] {
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? s : s.slice(0, s.length - trailing);
  const lines = body.split("\n").map((l) => (l === "" ? "" : `  ${l}`));
  // "|+" keeps every trailing newline: write the extra empty lines.
  for (let i = 1; i < trailing; i++) lines.push("");
  return [`|${chomp}`, ...lines];
}

function isObject(v: unknown): v is { [key: string]: YamlValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function isNonEmptyCollection(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.values(v).some((x) => x !== undefined);
  return false;
}

/** Lines of one value; the first line is what follows "key: " or "- ". */
function render(value: YamlValue, depth: number): string[] {
  if (depth > 200) throw new Error("YAML nesting is deeper than 200 levels");
  if (value === null || value === undefined) return ["null"];
  if (typeof value === "boolean") return [value ? "true" : "false"];
  if (typeof value === "number") return [formatNumber(value)];
  if (value instanceof Date) return [JSON.stringify(value.toISOString())];
  if (typeof value === "string") return canBeLiteralBlock(value) ? literalBlock(value) : [quoteYamlString(value)];
  if (Array.isArray(value)) {
    if (value.length === 0) return ["[]"];
    const out: string[] = [];
    for (const item of value) {
      const lines = render(item === undefined ? null : item, depth + 1);
      out.push(`- ${lines[0]}`, ...lines.slice(1).map((l) => (l === "" ? "" : `  ${l}`)));
    }
    return out;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return ["{}"];
  const out: string[] = [];
  for (const [k, v] of entries) {
    const key = formatKey(k);
    if (isNonEmptyCollection(v)) {
      out.push(`${key}:`, ...render(v, depth + 1).map((l) => (l === "" ? "" : `  ${l}`)));
    } else {
      const lines = render(v, depth + 1);
      out.push(`${key}: ${lines[0]}`, ...lines.slice(1).map((l) => (l === "" ? "" : `  ${l}`)));
    }
  }
  return out;
}

/** The YAML document for `value`, ending with a newline. */
export function toYaml(value: YamlValue): string {
  return `${render(value, 0).join("\n")}\n`;
}
