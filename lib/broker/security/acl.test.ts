import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AclAuthorizer,
  AclFilterError,
  AclOperation as Op,
  AclPermission as Perm,
  AclStore,
  PatternType as Pat,
  ResourceType as Res,
  normalizeHost,
  type AclBinding,
  type AclBindingFilter,
} from "./acl";

function acl(p: Partial<AclBinding> & Pick<AclBinding, "resourceName">): AclBinding {
  return {
    resourceType: Res.TOPIC,
    patternType: Pat.LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.READ,
    permissionType: Perm.ALLOW,
    ...p,
  };
}

function filter(p: Partial<AclBindingFilter> = {}): AclBindingFilter {
  return {
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pat.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
    ...p,
  };
}

function authz(bindings: AclBinding[], opts?: ConstructorParameters<typeof AclAuthorizer>[1]) {
  const store = new AclStore();
  const results = store.create(bindings);
  expect(results.every((r) => r.errorCode === 0)).toBe(true);
  const a = new AclAuthorizer(store, opts);
  return (principal: string, operation: number, resourceName: string, resourceType: number = Res.TOPIC, host = "10.0.0.1") =>
    a.authorize({ principal, operation, resourceType, resourceName, host });
}

describe("AclAuthorizer decisions", () => {
  it("denies by default when no ACL exists on the resource, unless allowEveryoneIfNoAclFound", () => {
    expect(authz([])("User:alice", Op.READ, "t")).toBe(false);
    expect(authz([], { allowEveryoneIfNoAclFound: true })("User:alice", Op.READ, "t")).toBe(true);
    // Once any principal has an ACL on the resource, the flag no longer applies.
    const check = authz([acl({ resourceName: "t", principal: "User:bob" })], { allowEveryoneIfNoAclFound: true });
    expect(check("User:alice", Op.READ, "t")).toBe(false);
    expect(check("User:alice", Op.READ, "other")).toBe(true);
  });

  it("super users bypass everything, including DENY", () => {
    const check = authz([acl({ resourceName: "t", principal: "User:admin", operation: Op.ALL, permissionType: Perm.DENY })], {
      superUsers: ["User:admin"],
    });
    expect(check("User:admin", Op.WRITE, "t")).toBe(true);
    expect(check("User:admin", Op.ALTER, "kafka-cluster", Res.CLUSTER)).toBe(true);
    expect(check("User:admin2", Op.WRITE, "t")).toBe(false);
  });

  it("literal matches the exact name only; '*' literal matches every name", () => {
    const check = authz([
      acl({ resourceName: "orders" }),
      acl({ resourceName: "*", principal: "User:bob" }),
    ]);
    expect(check("User:alice", Op.READ, "orders")).toBe(true);
    expect(check("User:alice", Op.READ, "orders2")).toBe(false);
    expect(check("User:alice", Op.READ, "order")).toBe(false);
    expect(check("User:bob", Op.READ, "anything")).toBe(true);
    expect(check("User:bob", Op.READ, "orders")).toBe(true);
  });

  it("prefixed matches names starting with the prefix; '*' prefixed is not a wildcard", () => {
    const check = authz([
      acl({ resourceName: "sales.", patternType: Pat.PREFIXED }),
      acl({ resourceName: "*", patternType: Pat.PREFIXED, principal: "User:bob" }),
    ]);
    expect(check("User:alice", Op.READ, "sales.eu")).toBe(true);
    expect(check("User:alice", Op.READ, "sales.")).toBe(true);
    expect(check("User:alice", Op.READ, "sales")).toBe(false);
    expect(check("User:alice", Op.READ, "xsales.eu")).toBe(false);
    expect(check("User:bob", Op.READ, "orders")).toBe(false);
    expect(check("User:bob", Op.READ, "*weird")).toBe(true);
  });

  it("matches principals exactly or through User:*, and hosts exactly or through *", () => {
    const check = authz([
      acl({ resourceName: "t1", principal: "User:*" }),
      acl({ resourceName: "t2", host: "10.0.0.1" }),
    ]);
    expect(check("User:anyone", Op.READ, "t1")).toBe(true);
    expect(check("User:ANONYMOUS", Op.READ, "t1")).toBe(true);
    expect(check("User:alice", Op.READ, "t2", Res.TOPIC, "10.0.0.1")).toBe(true);
    expect(check("User:alice", Op.READ, "t2", Res.TOPIC, "::ffff:10.0.0.1")).toBe(true);
    expect(check("User:alice", Op.READ, "t2", Res.TOPIC, "10.0.0.2")).toBe(false);
    expect(check("User:Alice", Op.READ, "t2")).toBe(false);
  });

  it("DENY wins over any ALLOW, however specific", () => {
    const check = authz([
      acl({ resourceName: "orders", operation: Op.READ }),
      acl({ resourceName: "ord", patternType: Pat.PREFIXED, principal: "User:*", permissionType: Perm.DENY, operation: Op.READ }),
      acl({ resourceName: "payments", operation: Op.ALL }),
      acl({ resourceName: "payments", operation: Op.WRITE, permissionType: Perm.DENY }),
    ]);
    expect(check("User:alice", Op.READ, "orders")).toBe(false);
    expect(check("User:alice", Op.READ, "payments")).toBe(true);
    expect(check("User:alice", Op.WRITE, "payments")).toBe(false);
    expect(check("User:alice", Op.DELETE, "payments")).toBe(true);
  });

  it("DENY ALL denies every operation", () => {
    const check = authz([
      acl({ resourceName: "t", operation: Op.ALL }),
      acl({ resourceName: "t", principal: "User:bob", operation: Op.ALL }),
      acl({ resourceName: "t", principal: "User:bob", operation: Op.ALL, permissionType: Perm.DENY }),
    ]);
    for (const op of [Op.READ, Op.WRITE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS]) {
      expect(check("User:bob", op, "t")).toBe(false);
      expect(check("User:alice", op, "t")).toBe(true);
    }
  });

  it("ALLOW READ/WRITE/DELETE/ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else", () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      const check = authz([acl({ resourceName: "t", operation: op })]);
      expect(check("User:alice", Op.DESCRIBE, "t")).toBe(true);
      expect(check("User:alice", Op.DESCRIBE_CONFIGS, "t")).toBe(false);
    }
    const cfg = authz([acl({ resourceName: "t", operation: Op.ALTER_CONFIGS })]);
    expect(cfg("User:alice", Op.DESCRIBE_CONFIGS, "t")).toBe(true);
    expect(cfg("User:alice", Op.DESCRIBE, "t")).toBe(false);
    const desc = authz([acl({ resourceName: "t", operation: Op.DESCRIBE })]);
    expect(desc("User:alice", Op.READ, "t")).toBe(false);
    const create = authz([acl({ resourceName: "t", operation: Op.CREATE })]);
    expect(create("User:alice", Op.DESCRIBE, "t")).toBe(false);
  });

  it("DENY implies nothing: DENY READ does not deny DESCRIBE (Kafka's rule)", () => {
    const check = authz([
      acl({ resourceName: "t", operation: Op.WRITE }),
      acl({ resourceName: "t", operation: Op.READ, permissionType: Perm.DENY }),
    ]);
    expect(check("User:alice", Op.DESCRIBE, "t")).toBe(true);
    expect(check("User:alice", Op.READ, "t")).toBe(false);
  });

  it("kafkajs's own scenario: WRITE DENY on A leaves no DESCRIBE; WRITE ALLOW on B works", () => {
    const check = authz([
      acl({ resourceName: "A", operation: Op.WRITE, permissionType: Perm.DENY }),
      acl({ resourceName: "B", operation: Op.WRITE }),
    ]);
    expect(check("User:alice", Op.DESCRIBE, "A")).toBe(false);
    expect(check("User:alice", Op.WRITE, "A")).toBe(false);
    expect(check("User:alice", Op.DESCRIBE, "B")).toBe(true);
    expect(check("User:alice", Op.WRITE, "B")).toBe(true);
  });

  it("resource types are separate namespaces", () => {
    const check = authz([
      acl({ resourceName: "x", resourceType: Res.GROUP }),
      acl({ resourceName: "kafka-cluster", resourceType: Res.CLUSTER, operation: Op.DESCRIBE }),
      acl({ resourceName: "tx", resourceType: Res.TRANSACTIONAL_ID, operation: Op.WRITE }),
    ]);
    expect(check("User:alice", Op.READ, "x", Res.GROUP)).toBe(true);
    expect(check("User:alice", Op.READ, "x", Res.TOPIC)).toBe(false);
    expect(check("User:alice", Op.DESCRIBE, "kafka-cluster", Res.CLUSTER)).toBe(true);
    expect(check("User:alice", Op.ALTER, "kafka-cluster", Res.CLUSTER)).toBe(false);
    expect(check("User:alice", Op.DESCRIBE, "tx", Res.TRANSACTIONAL_ID)).toBe(true);
  });
});

describe("AclAuthorizer sees changes immediately", () => {
  it("reflects creations and deletions made after earlier checks", () => {
    const store = new AclStore();
    const a = new AclAuthorizer(store);
    const check = () => a.authorize({ principal: "User:alice", host: "1.2.3.4", operation: Op.READ, resourceType: Res.TOPIC, resourceName: "sales.eu" });
    expect(check()).toBe(false);
    store.create([acl({ resourceName: "sales.", patternType: Pat.PREFIXED })]);
    expect(check()).toBe(true);
    store.create([acl({ resourceName: "*", operation: Op.READ, permissionType: Perm.DENY })]);
    expect(check()).toBe(false);
    store.delete([filter({ permissionType: Perm.DENY })]);
    expect(check()).toBe(true);
    store.delete([filter()]);
    expect(check()).toBe(false);
  });
});

describe("AclStore create validation", () => {
  it("accepts only LITERAL/PREFIXED, ALLOW/DENY, concrete supported operations and sane names", () => {
    const store = new AclStore();
    const res = store.create([
      acl({ resourceName: "t" }),
      acl({ resourceName: "t", patternType: Pat.MATCH }),
      acl({ resourceName: "t", patternType: Pat.ANY }),
      acl({ resourceName: "t", operation: Op.ANY }),
      acl({ resourceName: "t", permissionType: Perm.ANY }),
      acl({ resourceName: "t", resourceType: Res.ANY }),
      acl({ resourceName: "g", resourceType: Res.GROUP, operation: Op.WRITE }),
      acl({ resourceName: "", operation: Op.READ }),
      acl({ resourceName: "other", resourceType: Res.CLUSTER, operation: Op.ALTER }),
      acl({ resourceName: "t", principal: "alice" }),
      acl({ resourceName: "g", resourceType: Res.GROUP, operation: Op.ALL }),
    ]);
    expect(res.map((r) => r.errorCode)).toEqual([0, 42, 42, 42, 42, 42, 42, 42, 42, 42, 0]);
    expect(res[1].errorMessage).toMatch(/pattern type/);
  });

  it("is idempotent", () => {
    const store = new AclStore();
    store.create([acl({ resourceName: "t" }), acl({ resourceName: "t" })]);
    store.create([acl({ resourceName: "t" })]);
    expect(store.list()).toHaveLength(1);
  });
});

describe("ACL filters (Describe/DeleteAcls)", () => {
  const all = [
    acl({ resourceName: "orders" }),
    acl({ resourceName: "*" }),
    acl({ resourceName: "ord", patternType: Pat.PREFIXED }),
    acl({ resourceName: "orders", patternType: Pat.PREFIXED, principal: "User:bob", operation: Op.WRITE }),
    acl({ resourceName: "pay", patternType: Pat.PREFIXED, permissionType: Perm.DENY }),
    acl({ resourceName: "g1", resourceType: Res.GROUP }),
  ];
  const store = new AclStore();
  store.create(all);
  const names = (f: Partial<AclBindingFilter>) =>
    store
      .describe(filter(f))
      .map((b) => `${b.patternType === Pat.PREFIXED ? "P" : "L"}:${b.resourceName}`)
      .sort();

  it("ANY matches every binding; a null name matches any name", () => {
    expect(store.describe(filter())).toHaveLength(all.length);
  });

  it("ANY with a name matches that exact name of either pattern type", () => {
    expect(names({ patternType: Pat.ANY, resourceName: "orders" })).toEqual(["L:orders", "P:orders"]);
  });

  it("LITERAL and PREFIXED match their own type with an equal name", () => {
    expect(names({ patternType: Pat.LITERAL, resourceName: "orders" })).toEqual(["L:orders"]);
    expect(names({ patternType: Pat.PREFIXED, resourceName: "ord" })).toEqual(["P:ord"]);
    expect(names({ patternType: Pat.PREFIXED, resourceName: "orders" })).toEqual(["P:orders"]);
    expect(names({ patternType: Pat.LITERAL })).toEqual(["L:*", "L:g1", "L:orders"]);
  });

  it("MATCH returns every binding that applies to the name: literal, '*' and covering prefixes", () => {
    expect(names({ patternType: Pat.MATCH, resourceName: "orders", resourceType: Res.TOPIC })).toEqual([
      "L:*",
      "L:orders",
      "P:ord",
      "P:orders",
    ]);
    expect(names({ patternType: Pat.MATCH, resourceName: "payments", resourceType: Res.TOPIC })).toEqual([
      "L:*",
      "P:pay",
    ]);
  });

  it("filters principal, host, operation and permission exactly (User:* only matches User:*)", () => {
    expect(names({ principal: "User:bob" })).toEqual(["P:orders"]);
    expect(names({ principal: "User:*" })).toEqual([]);
    expect(names({ operation: Op.WRITE })).toEqual(["P:orders"]);
    expect(names({ permissionType: Perm.DENY })).toEqual(["P:pay"]);
    expect(names({ resourceType: Res.GROUP })).toEqual(["L:g1"]);
    expect(names({ host: "10.0.0.1" })).toEqual([]);
  });

  it("rejects filters with UNKNOWN parts", () => {
    expect(() => store.describe(filter({ operation: Op.UNKNOWN }))).toThrow(AclFilterError);
    expect(() => store.describe(filter({ resourceType: Res.UNKNOWN }))).toThrow(AclFilterError);
    expect(() => store.describe(filter({ patternType: Pat.UNKNOWN }))).toThrow(AclFilterError);
    expect(() => store.describe(filter({ permissionType: Perm.UNKNOWN }))).toThrow(AclFilterError);
  });

  it("delete reports matches per filter, removes them once and notifies listeners", () => {
    const s = new AclStore();
    s.create(all);
    const removed: AclBinding[][] = [];
    s.onAclsRemoved((list) => removed.push(list));
    const res = s.delete([
      filter({ resourceName: "orders", patternType: Pat.MATCH, resourceType: Res.TOPIC }),
      filter({ principal: "User:bob" }),
      filter({ operation: Op.UNKNOWN }),
    ]);
    expect(res[0].matching).toHaveLength(4);
    expect(res[1].matching).toHaveLength(1);
    expect(res[2].errorCode).toBe(42);
    expect(s.list().map((b) => b.resourceName).sort()).toEqual(["g1", "pay"]);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toHaveLength(4);
    expect(s.delete([filter({ principal: "User:nobody" })])[0].matching).toEqual([]);
    expect(removed).toHaveLength(1);
  });
});

describe("persistence", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "acl-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("survives a reload and leaves no temp file behind", () => {
    const a = AclStore.inDataDir(dir);
    a.create([acl({ resourceName: "t" }), acl({ resourceName: "p", patternType: Pat.PREFIXED })]);
    a.delete([filter({ resourceName: "t", patternType: Pat.LITERAL })]);
    const b = AclStore.inDataDir(dir);
    expect(b.list()).toEqual([acl({ resourceName: "p", patternType: Pat.PREFIXED })]);
    const file = readFileSync(path.join(dir, "security", "acls.json"), "utf8");
    expect(JSON.parse(file).version).toBe(1);
  });

  it("normalizes IPv4-mapped addresses only", () => {
    expect(normalizeHost("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeHost("::1")).toBe("::1");
    expect(normalizeHost(undefined)).toBe("");
  });
});
