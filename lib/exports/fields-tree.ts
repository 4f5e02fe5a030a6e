import type { ContractField } from "@/lib/contracts";

/**
 * Contract field paths (`cell.site.id`, `cells[].pci`, `tags[]`) as a tree: named children and,
 * for lists and maps, an `items` node. Ancestors the list does not name get implicit nodes, so a
 * hand-written field list with only leaves still nests correctly.
 */
export type FieldNode = { name: string; path: string; field?: ContractField; props: Map<string, FieldNode>; items?: FieldNode };

export function buildFieldTree(fields: readonly ContractField[]): FieldNode {
  const root: FieldNode = { name: "", path: "", props: new Map() };
  for (const f of fields) {
    if (f.path === "") {
      root.field = f;
      continue;
    }
    let node = root;
    let path = "";
    for (const segment of f.path.split(".")) {
      const m = /^(.*?)((?:\[\])*)$/.exec(segment)!;
      const name = m[1]!;
      const depth = m[2]!.length / 2;
      if (name !== "") {
        path = path ? `${path}.${name}` : name;
        let child = node.props.get(name);
        if (!child) node.props.set(name, (child = { name, path, props: new Map() }));
        node = child;
      }
      for (let i = 0; i < depth; i++) {
        path = `${path}[]`;
        node.items ??= { name: "item", path, props: new Map() };
        node = node.items;
      }
    }
    node.field = f;
  }
  return root;
}
