import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    expect(parseSmtpUrl("smtp://u%40x:p%3Aw@mail.local:2525")).toEqual({ host: "mail.local", port: 2525, secure: false, user: "u@x", pass: "p:w" });
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
