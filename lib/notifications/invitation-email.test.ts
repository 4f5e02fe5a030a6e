import { afterAll, describe, expect, it } from "vitest";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "@/lib/crypto/testing/self-signed";
import { mailInvitation } from "./invitation-email";
import { caughtBody, caughtHeader, startSmtpCatcher } from "./smtp-catcher";

const catcher = await startSmtpCatcher({ tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
afterAll(() => catcher.close());

const invite = { email: "new.hire@x.test", url: "https://trib.example/invite/tok123", expiresAt: new Date("2026-12-09T10:00:00Z"), invitedBy: "Ada Admin" };

describe("invitation e-mail", () => {
  it("sends the one-time link to the invitee, over STARTTLS when the server offers it", async () => {
    const r = await mailInvitation({ smtpUrl: catcher.url(), from: "Tributary <no-reply@trib.test>", tls: { ca: TEST_TLS_CERT } }, invite);
    expect(r).toEqual({ emailed: true });
    const m = catcher.messages.at(-1)!;
    expect(m).toMatchObject({ to: ["new.hire@x.test"], tls: true });
    expect(caughtHeader(m.data, "Subject")).toBe("You are invited to Tributary");
    const body = caughtBody(m.data);
    expect(body).toContain("Ada Admin invited you");
    expect(body).toContain("https://trib.example/invite/tok123");
    expect(body).toContain("until 9 December 2026");
  });

  it("reports a failed send instead of throwing (the admin still has the link)", async () => {
    const r = await mailInvitation({ smtpUrl: "smtp://127.0.0.1:1", from: "a@trib.test" }, invite, { timeoutMs: 2_000 });
    expect(r.emailed).toBe(false);
    expect(r.emailed === false && r.reason).toBeTruthy();
  });
});
