import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifications, users } from "@/db/schema";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { absoluteLink, sendPendingEmails } from "./email";
import { notifyUsers } from "./notify";
import { countUnread, findOwnNotification, listInbox, markAllNotificationsRead, markNotificationsRead } from "./queries";
import { caughtBody, caughtHeader, startSmtpCatcher, type SmtpCatcher } from "./smtp-catcher";

const t = await createTestDatabase();

let catcher: SmtpCatcher;
beforeAll(async () => {
  catcher = await startSmtpCatcher({ refuse: ["refused@x.test"] });
});
afterAll(async () => catcher.close());

describe("inbox", () => {
  it("lists only one's own notifications, unread first, and marks only one's own read", async () => {
    const { user: ann } = await createUserFixture(t.db);
    const { user: bob } = await createUserFixture(t.db);
    await notifyUsers(t.db, [ann.id], { kind: "a.one", title: "First", link: "/owner/requests?request=1" });
    await notifyUsers(t.db, [ann.id, bob.id], { kind: "a.two", title: "Second" });
    await notifyUsers(t.db, [ann.id], { kind: "a.three", title: "Third" });
    const annItems = (await listInbox(t.db, ann.id)).items;
    expect(annItems.map((i) => i.title)).toEqual(["Third", "Second", "First"]);
    const bobInbox = await listInbox(t.db, bob.id);
    expect(bobInbox.items.map((i) => i.title)).toEqual(["Second"]);

    // Bob cannot mark Ann's notification read, nor read it.
    const annFirst = annItems.find((i) => i.title === "First")!;
    expect(await markNotificationsRead(t.db, bob.id, [annFirst.id])).toBe(0);
    expect(await findOwnNotification(t.db, bob.id, annFirst.id)).toBeNull();
    expect(await countUnread(t.db, ann.id)).toBe(3);

    // Read items sink below unread ones.
    const third = annItems.find((i) => i.title === "Third")!;
    expect(await markNotificationsRead(t.db, ann.id, [third.id])).toBe(1);
    expect(await markNotificationsRead(t.db, ann.id, [third.id])).toBe(0);
    const after = await listInbox(t.db, ann.id);
    expect(after.items.map((i) => i.title)).toEqual(["Second", "First", "Third"]);
    expect(after.unread).toBe(2);
    expect((await listInbox(t.db, ann.id, { unreadOnly: true })).total).toBe(2);

    expect(await markAllNotificationsRead(t.db, ann.id)).toBe(2);
    expect(await countUnread(t.db, ann.id)).toBe(0);
    expect(await countUnread(t.db, bob.id)).toBe(1);
  });

  it("paginates", async () => {
    const { user } = await createUserFixture(t.db);
    for (let i = 0; i < 5; i++) await notifyUsers(t.db, [user.id], { kind: "p", title: `N${i}` });
    const p2 = await listInbox(t.db, user.id, { page: 2, pageSize: 2 });
    expect(p2).toMatchObject({ total: 5, pageCount: 3, page: 2 });
    expect(p2.items).toHaveLength(2);
  });
});

describe("email copies", () => {
  it("makes only same-origin links absolute", () => {
    expect(absoluteLink("/owner/requests?request=x", "https://trib.example")).toBe("https://trib.example/owner/requests?request=x");
    expect(absoluteLink("//evil.example/x", "https://trib.example")).toBeNull();
    expect(absoluteLink("https://evil.example", "https://trib.example")).toBeNull();
    expect(absoluteLink(null, "https://trib.example")).toBeNull();
  });

  it("sends unsent notifications once with absolute links, and skips refused addresses without retrying", async () => {
    await t.db.update(notifications).set({ emailedAt: new Date() });
    const { user: ann, email } = await createUserFixture(t.db);
    const { user: refused } = await createUserFixture(t.db);
    const { user: disabled } = await createUserFixture(t.db, { disabled: true });
    await t.db.update(users).set({ email: "refused@x.test" }).where(eq(users.id, refused.id));
    await notifyUsers(t.db, [ann.id, refused.id, disabled.id], { kind: "access_request.pending", title: "Access request für Telco", body: "Please review.", link: "/owner/requests?request=abc" });
    const before = catcher.messages.length;

    const r1 = await sendPendingEmails(t.db, { smtpUrl: catcher.url(), from: "Tributary <no-reply@trib.test>", appUrl: "https://trib.example" });
    expect(r1).toEqual({ sent: 1, refused: 1, deferred: 0 });
    const mails = catcher.messages.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual([email]);
    expect(caughtHeader(mails[0].data, "Subject")).toMatch(/^=\?UTF-8\?B\?/);
    // The mail links to the notification's open route (sign-in, mark read, then the place to act).
    const [annRow] = await t.db.select().from(notifications).where(eq(notifications.userId, ann.id));
    expect(caughtBody(mails[0].data)).toContain(`Open it in Tributary: https://trib.example/api/notifications/${annRow!.id}/open`);
    expect(caughtBody(mails[0].data)).not.toContain("/owner/requests");

    const rows = await t.db.select().from(notifications).where(inArray(notifications.userId, [ann.id, refused.id, disabled.id]));
    expect(rows.find((r) => r.userId === ann.id)!.emailedAt).not.toBeNull();
    expect(rows.find((r) => r.userId === refused.id)!.emailedAt).not.toBeNull();
    expect(rows.find((r) => r.userId === disabled.id)!.emailedAt).toBeNull();

    const r2 = await sendPendingEmails(t.db, { smtpUrl: catcher.url(), from: "no-reply@trib.test", appUrl: "https://trib.example" });
    expect(r2).toEqual({ sent: 0, refused: 0, deferred: 0 });
    expect(catcher.messages.length).toBe(before + 1);
  });

  it("leaves rows unsent when the SMTP server is unreachable", async () => {
    const { user } = await createUserFixture(t.db);
    await notifyUsers(t.db, [user.id], { kind: "k", title: "T" });
    await expect(sendPendingEmails(t.db, { smtpUrl: "smtp://127.0.0.1:1", from: "a@trib.test", appUrl: "http://x", timeoutMs: 2000 })).rejects.toThrow();
    const [row] = await t.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(row.emailedAt).toBeNull();
  });
});
