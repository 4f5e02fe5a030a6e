import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { enableAppRole } from "@/lib/launcher/database";
import { createTestDatabase } from "@/lib/testing/db";
import { AUDIT_CSV_HEADER, auditCsvStream, CSV_BOM, csvCell, csvLine } from "./csv";
import { AuditFilterSchema, iterateAuditLog, searchAuditLog } from "./queries";
import { recordAudit } from "./service";

const t = await createTestDatabase();

const alice = "11111111-1111-4111-8111-111111111111";
const bob = "22222222-2222-4222-8222-222222222222";

async function seed() {
  const rows: (typeof auditLog.$inferInsert)[] = [
    { at: new Date("2026-01-10T10:00:00Z"), actorType: "user", actorId: alice, actorLabel: "alice@x.test", action: "access_request.approve", resourceType: "access_request", resourceId: "r1" },
    { at: new Date("2026-01-11T10:00:00Z"), actorType: "user", actorId: alice, actorLabel: "alice@x.test", action: "access_request.deny", resourceType: "access_request", resourceId: "r2", result: "denied" },
    { at: new Date("2026-01-12T23:59:00Z"), actorType: "user", actorId: bob, actorLabel: "bob@x.test", action: "cluster.create", resourceType: "cluster", resourceId: "c1" },
    { at: new Date("2026-01-13T00:00:00Z"), actorType: "system", action: "subscription.expire", resourceType: "subscription", resourceId: "s1", result: "failure" },
    { at: new Date("2026-01-14T00:00:00Z"), actorType: "user", actorId: bob, actorLabel: "bob_100%@x.test", action: "access_requestXfake", resourceType: "other" },
  ];
  await t.db.insert(auditLog).values(rows);
}
await seed();

const parse = (q: Record<string, string>) => AuditFilterSchema.parse(q);

describe("audit log search", () => {
  it("filters by actor label or id, action prefix, resource, result and time range", async () => {
    expect((await searchAuditLog(t.db, parse({}))).total).toBe(5);
    expect((await searchAuditLog(t.db, parse({ actor: "ALICE" }))).rows.map((r) => r.resourceId)).toEqual(["r2", "r1"]);
    expect((await searchAuditLog(t.db, parse({ actor: bob }))).total).toBe(2);
    // The prefix is literal: "_" is not a LIKE wildcard here.
    expect((await searchAuditLog(t.db, parse({ action: "access_request." }))).total).toBe(2);
    expect((await searchAuditLog(t.db, parse({ actor: "100%" }))).total).toBe(1);
    expect((await searchAuditLog(t.db, parse({ resourceType: "cluster", resourceId: "c1" }))).rows[0].action).toBe("cluster.create");
    expect((await searchAuditLog(t.db, parse({ result: "failure" }))).rows[0].action).toBe("subscription.expire");
    // A date-only "to" includes the whole day; "from" starts at midnight UTC.
    expect((await searchAuditLog(t.db, parse({ from: "2026-01-11", to: "2026-01-12" }))).rows.map((r) => r.resourceId)).toEqual(["c1", "r2"]);
  });

  it("paginates newest first and clamps the page", async () => {
    const p1 = await searchAuditLog(t.db, parse({}), { page: 1, pageSize: 2 });
    expect(p1.pageCount).toBe(3);
    expect(p1.rows.map((r) => r.action)).toEqual(["access_requestXfake", "subscription.expire"]);
    const p9 = await searchAuditLog(t.db, parse({}), { page: 9, pageSize: 2 });
    expect(p9.page).toBe(3);
    expect(p9.rows).toHaveLength(1);
  });

  it("stops counting at the cap and says so, paging through what it counted", async () => {
    const capped = await searchAuditLog(t.db, parse({}), { pageSize: 2, countCap: 3 });
    expect(capped).toMatchObject({ total: 3, totalIsCapped: true, pageCount: 2 });
    expect((await searchAuditLog(t.db, parse({}), { pageSize: 2, countCap: 3, page: 5 })).page).toBe(2);
    expect(await searchAuditLog(t.db, parse({ actor: "bob" }), { countCap: 3 })).toMatchObject({ total: 2, totalIsCapped: false });
    expect(await searchAuditLog(t.db, parse({ actor: "alice" }), { countCap: 2 })).toMatchObject({ total: 2, totalIsCapped: false });
  });

  it("searches actor labels through the trigram index", async () => {
    // Enough rows that the planner has a choice; seqscan off shows the index can serve the query.
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const plan = await tx.execute<{ "QUERY PLAN": string }>(sql`explain select id from audit_log where actor_label ilike '%lice@x%'`);
      expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("audit_log_actor_label_trgm_idx");
    });
  });

  it("rejects malformed filters with field messages", () => {
    const bad = AuditFilterSchema.safeParse({ result: "maybe", from: "yesterday-ish", to: "2020-01-01" });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["result", "from"]));
    const reversed = AuditFilterSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" });
    expect(reversed.success).toBe(false);
    expect(reversed.error!.issues[0].path).toEqual(["to"]);
  });

  it("iterates every matching row in batches for export", async () => {
    const all: number[] = [];
    for await (const batch of iterateAuditLog(t.db, parse({}), 2)) all.push(...batch.map((r) => r.id));
    expect(all).toHaveLength(5);
    expect(new Set(all).size).toBe(5);
  });
});

describe("audit CSV", () => {
  it("quotes per RFC 4180 and neutralizes formula cells", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    for (const lead of ["+", "-", "@", "\t", "\r"]) expect(csvCell(`${lead}1`).replace(/^"/, "").startsWith("'")).toBe(true);
    expect(csvCell(null)).toBe("");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvLine(["a", 1])).toBe("a,1\r\n");
  });

  it("streams a BOM, the header and the rows with CRLF line ends", async () => {
    async function* batches() {
      yield (await searchAuditLog(t.db, parse({ actor: "alice" }))).rows;
    }
    const text = await new Response(auditCsvStream(batches())).text();
    // Response.text() strips a BOM; read the bytes to see it.
    const bytes = new Uint8Array(await new Response(auditCsvStream(batches())).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(CSV_BOM).toBe("\uFEFF");
    const lines = text.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe(AUDIT_CSV_HEADER.join(","));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain("access_request.deny");
    expect(lines[1]).toContain("denied");
  });
});

describe("audit log immutability (database level)", () => {
  it("accepts inserts through recordAudit", async () => {
    await recordAudit(t.db, { actor: { type: "system" }, action: "test.insert", resource: { type: "test" } });
    expect((await searchAuditLog(t.db, parse({ action: "test.insert" }))).total).toBe(1);
  });

  it("refuses UPDATE, DELETE and TRUNCATE by trigger, for any user the triggers are enabled for", async () => {
    // drizzle wraps the driver error; the trigger's message and SQLSTATE are on its cause.
    async function refusal(statement: ReturnType<typeof sql>): Promise<{ message: string; code?: string }> {
      try {
        await t.db.execute(statement);
      } catch (err) {
        const cause = (err as { cause?: { message: string; code?: string } }).cause ?? (err as { message: string });
        return { message: cause.message, code: (cause as { code?: string }).code };
      }
      throw new Error("the statement was not refused");
    }
    for (const statement of [sql`update audit_log set action = 'tampered'`, sql`delete from audit_log`, sql`truncate audit_log`]) {
      const r = await refusal(statement);
      expect(r.message).toMatch(/audit_log is append-only \((UPDATE|DELETE|TRUNCATE) refused\)/);
      expect(r.code).toBe("42501");
    }
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'tampered'`);
    expect(n).toBe(0);
    expect((await searchAuditLog(t.db, parse({}))).total).toBe(6);
  });
});

// The tests' own connection is the owner's (a superuser); the app runs as tributary_app, which
// the migrations create. Every file that signs in as it sets this same password, so parallel
// files on one server do not lock each other out.
const appSql = postgres(await enableAppRole(t.url, "tributary-app-test"), { max: 1, onnotice: () => {} });
afterAll(() => appSql.end({ timeout: 5 }));

describe("audit log immutability for the app's role (tributary_app)", () => {
  async function refused(statement: string): Promise<{ message: string; code?: string }> {
    try {
      await appSql.unsafe(statement);
    } catch (err) {
      return { message: (err as Error).message, code: (err as { code?: string }).code };
    }
    throw new Error(`not refused: ${statement}`);
  }

  it("is neither superuser nor owner, and may insert and read", async () => {
    const [who] = await appSql<{ user: string; superuser: boolean; owner: string }[]>`
      select current_user as "user", r.rolsuper as superuser, pg_get_userbyid(c.relowner) as owner
      from pg_roles r, pg_class c where r.rolname = current_user and c.oid = 'audit_log'::regclass`;
    expect(who).toMatchObject({ user: "tributary_app", superuser: false });
    expect(who!.owner).not.toBe("tributary_app");
    await appSql`insert into audit_log (actor_type, action, resource_type) values ('system', 'app.insert', 'test')`;
    const [{ n }] = await appSql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'app.insert'`;
    expect(n).toBe(1);
  });

  it("may not update, delete, truncate, disable or drop the triggers, or turn triggers off for its session", async () => {
    const before = (await searchAuditLog(t.db, parse({}))).total;
    for (const statement of ["update audit_log set action = 'tampered'", "delete from audit_log", "truncate audit_log"]) {
      expect(await refused(statement)).toMatchObject({ code: "42501", message: expect.stringMatching(/permission denied for table audit_log/) });
    }
    for (const statement of [
      "alter table audit_log disable trigger audit_log_no_update",
      "alter table audit_log disable trigger all",
      "drop trigger audit_log_no_update on audit_log",
      "drop table audit_log",
    ]) {
      expect(await refused(statement)).toMatchObject({ code: "42501", message: expect.stringMatching(/must be owner/) });
    }
    // With session_replication_role = replica, ordinary triggers do not fire at all.
    expect(await refused("set session_replication_role = replica")).toMatchObject({
      code: "42501",
      message: expect.stringMatching(/permission denied to set parameter "session_replication_role"/),
    });
    // Still enabled, still the same rows.
    const [{ enabled }] = await t.db.execute<{ enabled: string }>(
      sql`select string_agg(tgenabled::text, '' order by tgname) as enabled from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal`,
    );
    expect(enabled).toBe("OO");
    expect((await searchAuditLog(t.db, parse({}))).total).toBe(before);
  });

  it("has ordinary read and write access to the other tables", async () => {
    await appSql`insert into rate_limit_windows (key, window_start, count) values ('app-role-test', now(), 1)`;
    await appSql`update rate_limit_windows set count = 2 where key = 'app-role-test'`;
    await appSql`delete from rate_limit_windows where key = 'app-role-test'`;
    expect(await refused("truncate rate_limit_windows")).toMatchObject({ code: "42501" });
  });
});
