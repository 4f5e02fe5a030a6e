import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { notifications } from "@/db/schema";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import type { SessionUser } from "@/lib/auth/roles";
import { notifyUsers } from "@/lib/notifications/notify";
import { createTestDatabase } from "@/lib/testing/db";

const t = await createTestDatabase();
const who: { user: SessionUser | null } = { user: null };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db/client")>()), getDb: () => t.db }));
vi.mock("@/lib/auth/session", () => ({ getSessionUser: async () => who.user }));

const { GET } = await import("./route");

const ann = await createUserFixture(t.db);
const bob = await createUserFixture(t.db);
const session = (u: typeof ann): SessionUser => ({ id: u.user.id, email: u.email, name: u.user.name, orgId: u.org.id, orgKind: "internal", roles: [], teams: [] });
await notifyUsers(t.db, [ann.user.id], { kind: "access_request.pending", title: "Review", link: "/owner/requests?request=abc" });
await notifyUsers(t.db, [ann.user.id], { kind: "x", title: "Evil", link: "//evil.example/phish" });
const [review] = await t.db.select().from(notifications).where(eq(notifications.title, "Review"));
const [evil] = await t.db.select().from(notifications).where(eq(notifications.title, "Evil"));

function open(id: string) {
  return GET(new Request(`http://app.test/api/notifications/${id}/open`), { params: Promise.resolve({ id }) });
}

describe("GET /api/notifications/<id>/open", () => {
  it("sends a signed-out visitor through sign-in and back", async () => {
    who.user = null;
    const res = await open(review.id);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://app.test/sign-in?callbackUrl=${encodeURIComponent(`/api/notifications/${review.id}/open`)}`);
  });

  it("does not open or mark someone else's notification", async () => {
    who.user = session(bob);
    const res = await open(review.id);
    expect(res.headers.get("location")).toBe("http://app.test/notifications?missing=1");
    const [row] = await t.db.select().from(notifications).where(eq(notifications.id, review.id));
    expect(row.readAt).toBeNull();
  });

  it("marks one's own notification read and goes to its link; off-site links go to the inbox", async () => {
    who.user = session(ann);
    const res = await open(review.id);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://app.test/owner/requests?request=abc");
    const [row] = await t.db.select().from(notifications).where(eq(notifications.id, review.id));
    expect(row.readAt).not.toBeNull();
    expect((await open(evil.id)).headers.get("location")).toBe("http://app.test/notifications");
  });
});
