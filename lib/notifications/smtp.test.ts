import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "@/lib/crypto/testing/self-signed";
import { caughtBody, caughtHeader, startSmtpCatcher, type SmtpCatcher } from "./smtp-catcher";
import { buildMessage, dotStuff, encodeHeaderWord, parseSmtpUrl, sendMail, SmtpConnection, SmtpError } from "./smtp";

let catcher: SmtpCatcher;
let authCatcher: SmtpCatcher;

beforeAll(async () => {
  catcher = await startSmtpCatcher({ refuse: ["nobody@x.test"] });
  authCatcher = await startSmtpCatcher({ auth: { user: "mailer", pass: "p@ss:word" } });
});
afterAll(async () => {
  await catcher.close();
  await authCatcher.close();
});

/** Undo RFC 2047 encoded words for assertions. */
function decodeWords(s: string): string {
  // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
  return s.replace(/\?=\s+=\?/g, "?==?").replace(/=\?UTF-8\?B\?([^?]+)\?=/g, (_, b64: string) => Buffer.from(b64, "base64").toString("utf8"));
}

describe("smtp helpers", () => {
  it("parses smtp and smtps URLs with credentials and default ports", () => {
    expect(parseSmtpUrl("smtp://u%40x:p%3Aw@mail.local:2525")).toEqual({ host: "mail.local", port: 2525, secure: false, starttls: "opportunistic", user: "u@x", pass: "p:w" });
    expect(parseSmtpUrl("smtp://h:587?starttls=required")).toMatchObject({ port: 587, starttls: "required" });
    expect(parseSmtpUrl("smtp://h?starttls=off")).toMatchObject({ starttls: "off" });
    expect(() => parseSmtpUrl("smtp://h?starttls=maybe")).toThrow(/required or off/);
    expect(() => parseSmtpUrl("smtps://h?starttls=required")).toThrow(/TLS from the start/);
    expect(parseSmtpUrl("smtps://mail.example.com")).toMatchObject({ port: 465, secure: true, user: undefined });
    expect(parseSmtpUrl("smtp://h")).toMatchObject({ port: 25 });
    expect(() => parseSmtpUrl("http://h")).toThrow(/smtp:\/\//);
  });

  it("encodes non-ASCII subjects as RFC 2047 words of at most 75 characters", () => {
    expect(encodeHeaderWord("Plain subject")).toBe("Plain subject");
    const subject = "Zugriff genehmigt: Über-Straße Ereignisse — äöü ".repeat(3);
    const encoded = encodeHeaderWord(subject);
    for (const word of encoded.split("\r\n ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(subject.replace(/[\r\n]+/g, " "));
    // No header injection through a subject.
    expect(encodeHeaderWord("a\r\nBcc: x@y")).toBe("a Bcc: x@y");
  });

  it("dot-stuffs lines that start with a dot and terminates the data", () => {
    expect(dotStuff(".a\r\nb\r\n.\r\n..c")).toBe("..a\r\nb\r\n..\r\n...c\r\n.\r\n");
  });

  it("builds headers and a base64 body for non-ASCII text", () => {
    const raw = buildMessage({ from: "Tributary <no-reply@trib.test>", to: "Zoë <zoe@x.test>", subject: "Hi", text: "Grüße\nzwei" });
    expect(raw).toContain("Content-Transfer-Encoding: base64");
    expect(raw).toMatch(/^Message-ID: <[0-9a-f]+@trib\.test>$/m);
    expect(caughtBody(raw)).toBe("Grüße\r\nzwei");
    expect(decodeWords(caughtHeader(raw, "To")!)).toBe("Zoë <zoe@x.test>");
  });
});

describe("smtp client against a local catcher", () => {
  it("delivers a message with envelope, headers and a dot-stuffed body intact", async () => {
    const text = "Line one\n.\n..two dots\n.leading dot";
    await sendMail(parseSmtpUrl(catcher.url()), { from: "Tributary <no-reply@trib.test>", to: "Ann <ann@x.test>", subject: "Zugriff für Ann ✓", text });
    const m = catcher.messages.at(-1)!;
    expect(m.from).toBe("no-reply@trib.test");
    expect(m.to).toEqual(["ann@x.test"]);
    expect(m.authUser).toBeNull();
    expect(decodeWords(caughtHeader(m.data, "Subject")!)).toBe("Zugriff für Ann ✓");
    expect(caughtBody(m.data)).toBe(text.replace(/\n/g, "\r\n"));
  });

  it("authenticates with AUTH PLAIN and fails clearly on a wrong password", async () => {
    await sendMail(parseSmtpUrl(authCatcher.url({ user: "mailer", pass: "p@ss:word" })), { from: "a@trib.test", to: "b@x.test", subject: "s", text: "t" });
    expect(authCatcher.messages.at(-1)!.authUser).toBe("mailer");
    const wrong = sendMail(parseSmtpUrl(authCatcher.url({ user: "mailer", pass: "nope" })), { from: "a@trib.test", to: "b@x.test", subject: "s", text: "t" });
    await expect(wrong).rejects.toMatchObject({ code: 535 });
  });

  it("reports a refused recipient as permanent and keeps the session usable", async () => {
    const conn = await SmtpConnection.open(parseSmtpUrl(catcher.url()));
    try {
      const err = await conn.send({ from: "a@trib.test", to: "nobody@x.test", subject: "s", text: "t" }).catch((e) => e);
      expect(err).toBeInstanceOf(SmtpError);
      expect((err as SmtpError).permanent).toBe(true);
      await conn.send({ from: "a@trib.test", to: "next@x.test", subject: "after", text: "t" });
    } finally {
      await conn.close();
    }
    expect(catcher.messages.at(-1)!.to).toEqual(["next@x.test"]);
  });

  it("fails when nothing listens", async () => {
    await expect(sendMail({ host: "127.0.0.1", port: 1, secure: false }, { from: "a@trib.test", to: "b@x.test", subject: "s", text: "t" }, { timeoutMs: 2000 })).rejects.toThrow();
  });
});

describe("STARTTLS", () => {
  let tlsCatcher: SmtpCatcher;
  let plainCatcher: SmtpCatcher;
  const auth = { user: "mailer", pass: "s3cret" };
  const trust = { ca: TEST_TLS_CERT };
  const msg = (to: string) => ({ from: "a@trib.test", to, subject: "tls", text: "inside" });
  beforeAll(async () => {
    tlsCatcher = await startSmtpCatcher({ tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, requireTls: true, auth });
    plainCatcher = await startSmtpCatcher();
  });
  afterAll(async () => {
    await tlsCatcher.close();
    await plainCatcher.close();
  });

  it("upgrades an smtp:// session when the server offers it, and authenticates inside TLS", async () => {
    const conn = await SmtpConnection.open(parseSmtpUrl(tlsCatcher.url(auth)), { tls: trust });
    try {
      expect(conn.encrypted).toBe(true);
      await conn.send(msg("tls@x.test"));
    } finally {
      await conn.close();
    }
    // The catcher refuses AUTH and MAIL before STARTTLS: the message got through only inside TLS.
    expect(tlsCatcher.messages.at(-1)).toMatchObject({ to: ["tls@x.test"], tls: true, authUser: "mailer" });
  });

  it("with starttls=required refuses a server that does not offer it; without, it stays plain", async () => {
    await expect(sendMail(parseSmtpUrl(`${plainCatcher.url()}?starttls=required`), msg("never@x.test"))).rejects.toThrow(/does not offer STARTTLS/);
    expect(plainCatcher.messages.some((m) => m.to.includes("never@x.test"))).toBe(false);
    await sendMail(parseSmtpUrl(plainCatcher.url()), msg("plain@x.test"));
    expect(plainCatcher.messages.at(-1)).toMatchObject({ to: ["plain@x.test"], tls: false });
  });

  it("never falls back to plain text when the certificate does not verify", async () => {
    const before = tlsCatcher.messages.length;
    await expect(sendMail(parseSmtpUrl(tlsCatcher.url(auth)), msg("untrusted@x.test"))).rejects.toThrow(/STARTTLS handshake .* failed: .*self.signed/i);
    expect(tlsCatcher.messages.length).toBe(before);
  });

  it("with starttls=off does not upgrade (and a server that requires TLS then refuses)", async () => {
    await expect(sendMail(parseSmtpUrl(`${tlsCatcher.url(auth)}?starttls=off`), msg("off@x.test"), { tls: trust })).rejects.toMatchObject({ code: 530 });
  });
});
