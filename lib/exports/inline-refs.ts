/**
 * Local `$ref`s of a JSON Schema replaced by copies of what they point at, so the schema can be
 * embedded anywhere: inside an AsyncAPI document "#/$defs/x" would resolve against the AsyncAPI
 * root, not the schema's. `$defs`/`definitions` are dropped from the root once nothing needs
 * them. Cycles cannot be inlined and are refused by name (contracts with recursive schemas are
 * refused at publishing too, since their fields cannot be listed); non-local refs (other
 * documents, absolute URLs) are left as they are.
 *
 * Sibling keywords next to a `$ref` apply alongside it in draft 2019-09+ (kept through allOf)
 * and are ignored in draft-07 and earlier (dropped, as those drafts specify).
 */

export class RefInlineError extends Error {}

const DATA_KEYWORDS = new Set(["enum", "const", "examples", "default"]);
/** Keywords whose value maps names to schemas: their keys are names, never keywords. */
const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"]);
/** Bounds the copy: a schema reusing a definition thousands of times is refused, not expanded. */
const MAX_NODES = 50_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

function pointer(root: Json, ref: string): Json | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: Json | undefined = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** `{"$anchor": "x"}` anywhere in the schema, for refs like "#x". */
function anchor(root: Json, name: string): Json | undefined {
  const stack: Json[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (Array.isArray(n)) stack.push(...n);
    else if (isObject(n)) {
      if (n.$anchor === name) return n;
      for (const [k, v] of Object.entries(n)) if (!DATA_KEYWORDS.has(k)) stack.push(v);
    }
  }
  return undefined;
}

export function inlineLocalRefs(schema: unknown, opts: { siblingsApply: boolean }): unknown {
  const root = schema as Json;
  let nodes = 0;
  const walk = (node: Json, path: string, expanding: { ref: string; path: string }[], names = false): Json => {
    if (++nodes > MAX_NODES) throw new RefInlineError(`the schema is too large to inline its $refs (more than ${MAX_NODES} nodes once expanded)`);
    if (Array.isArray(node)) return node.map((n, i) => walk(n, `${path}/${i}`, expanding));
    if (!isObject(node)) return node;
    const ref = node.$ref;
    if (names) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, `${path}/${k}`, expanding)]));
    if (typeof ref === "string" && ref.startsWith("#")) {
      const open = expanding.find((e) => e.ref === ref);
      if (open) {
        throw new RefInlineError(`the schema refers back to itself ($ref ${ref} at ${open.path || "/"}), so it cannot be written out without references`);
      }
      const target = ref.startsWith("#/") || ref === "#" ? pointer(root, ref) : anchor(root, ref.slice(1));
      if (target === undefined) throw new RefInlineError(`$ref ${ref} at ${path || "/"} does not resolve inside the schema`);
      const resolved = walk(target, path, [...expanding, { ref, path }]);
      const siblings = Object.fromEntries(Object.entries(node).filter(([k]) => k !== "$ref"));
      if (!opts.siblingsApply || Object.keys(siblings).length === 0) return resolved;
      return { allOf: [resolved], ...(walkObject(siblings, path, expanding) as Record<string, Json>) };
    }
    return walkObject(node, path, expanding);
  };
  const walkObject = (node: Record<string, Json>, path: string, expanding: { ref: string; path: string }[]): Json =>
    Object.fromEntries(Object.entries(node).map(([k, v]) => [k, DATA_KEYWORDS.has(k) ? v : walk(v, `${path}/${k}`, expanding, NAME_MAPS.has(k))]));

  if (!isObject(root)) return walk(root, "", []);
  const rest = Object.fromEntries(Object.entries(root).filter(([k]) => k !== "$defs" && k !== "definitions"));
  return walk(rest, "", []);
}
