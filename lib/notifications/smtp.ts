import { randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";

/**
 * A minimal SMTP client (RFC 5321) for notification emails, so the app needs no mail library:
 * EHLO, STARTTLS (RFC 3207), optional AUTH PLAIN, MAIL FROM, RCPT TO, DATA with dot-stuffing,
 * RSET between messages, QUIT. `smtps://` is implicit TLS (port 465). `smtp://` upgrades with
 * STARTTLS whenever the server offers it (then says EHLO again and authenticates inside TLS);
 * `?starttls=required` refuses a server that does not offer it (anyone on the path can strip the
 * offer, so a remote provider should require it), `?starttls=off` never upgrades (a local relay
 * with a certificate nobody can verify). A certificate that does not verify fails the connection
 * either way: no silent fallback to plain text. Every reply is awaited with a timeout, so a stuck
 * server fails the batch instead of hanging the worker.
 */
export type StartTlsMode = "opportunistic" | "required" | "off";

export type SmtpConfig = {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps://). */
  secure: boolean;
  /** smtp:// only: upgrade with STARTTLS when offered (default), always, or never. */
  starttls?: StartTlsMode;
  user?: string;
  pass?: string;
};

/** Extra trust for the server's certificate (a private CA), for both TLS modes. */
export type SmtpTlsOptions = { ca?: string | Buffer };

export type MailMessage = {
  from: string;
  to: string;
  subject: string;
  text: string;
  headers?: Record<string, string>;
};

export class SmtpError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = "SmtpError";
    this.code = code;
  }
  /** 5xx: the server will never accept this (bad recipient, policy); 4xx and I/O: try later. */
  get permanent(): boolean {
    return this.code >= 500 && this.code < 600;
  }
}

/** smtp://user:pass@host:port[?starttls=required|off] or smtps://…; ports default to 25 and 465. */
export function parseSmtpUrl(raw: string): SmtpConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("SMTP_URL is not a URL (smtp://user:pass@host:port or smtps://…).");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new Error("SMTP_URL must start with smtp:// or smtps://.");
  const secure = url.protocol === "smtps:";
  const mode = url.searchParams.get("starttls") ?? "opportunistic";
  if (mode !== "opportunistic" && mode !== "required" && mode !== "off") throw new Error("SMTP_URL's starttls must be required or off.");
  if (secure && mode !== "opportunistic") throw new Error("SMTP_URL: starttls applies to smtp://, smtps:// is TLS from the start.");
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    starttls: secure ? undefined : mode,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    pass: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/** "Name <a@b>" or "a@b" to the bare address for the envelope. */
export function envelopeAddress(addr: string): string {
  const m = /<([^<>\s]+)>\s*$/.exec(addr);
  const bare = (m ? m[1] : addr).trim();
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) throw new Error(`Not an email address: ${JSON.stringify(addr)}`);
  return bare;
}

/**
 * RFC 2047 encoded-words (UTF-8, base64) for non-ASCII header text, each word at most 75
 * characters and never splitting a character. ASCII text passes unchanged.
 */
export function encodeHeaderWord(value: string): string {
  const clean = value.replace(/[\r\n]+/g, " ");
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = "";
  // 45 bytes of UTF-8 -> 60 base64 chars + 12 for "=?UTF-8?B??=" = 72 <= 75.
  for (const ch of clean) {
    if (Buffer.byteLength(chunk + ch, "utf8") > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join("\r\n ");
}

/** "Name <addr>" with an encoded display name when it is not ASCII. */
function encodeAddressHeader(addr: string): string {
  const clean = addr.replace(/[\r\n]+/g, " ").trim();
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(clean);
  if (!m || !m[1]) return clean;
  const name = m[1].replace(/^"|"$/g, "");
  const shown = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : encodeHeaderWord(name);
  return `${shown} <${m[2]}>`;
}

/** The message as it goes after DATA, before dot-stuffing: CRLF line ends throughout. */
export function buildMessage(msg: MailMessage, now = new Date()): string {
  const ascii = /^[\x00-\x7f]*$/.test(msg.text);
  const domain = envelopeAddress(msg.from).split("@")[1];
  const headers: [string, string][] = [
    ["From", encodeAddressHeader(msg.from)],
    ["To", encodeAddressHeader(msg.to)],
    ["Subject", encodeHeaderWord(msg.subject)],
    ["Date", now.toUTCString().replace("GMT", "+0000")],
    ["Message-ID", `<${randomBytes(12).toString("hex")}@${domain}>`],
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Transfer-Encoding", ascii ? "7bit" : "base64"],
    ...Object.entries(msg.headers ?? {}).map(([k, v]): [string, string] => [k.replace(/[^\x21-\x39\x3b-\x7e]/g, ""), v.replace(/[\r\n]+/g, " ")]),
  ];
  const text = msg.text.replace(/\r?\n/g, "\r\n");
  const body = ascii
    ? text
    : (Buffer.from(text, "utf8")
        .toString("base64")
        .match(/.{1,76}/g) ?? []
      ).join("\r\n");
  return `${headers.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

/** RFC 5321 §4.5.2: a line starting with "." gets one more; the data ends with CRLF.CRLF. */
export function dotStuff(data: string): string {
  const stuffed = data.replace(/\r\n\./g, "\r\n..").replace(/^\./, "..");
  return `${stuffed}${stuffed.endsWith("\r\n") ? "" : "\r\n"}.\r\n`;
}

type Reply = { code: number; lines: string[] };

export class SmtpConnection {
  private socket!: net.Socket;
  private buffer = "";
  private pending: Reply["lines"] = [];
  private waiters: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private replies: Reply[] = [];
  private failure: Error | null = null;
  /** True once the session runs inside TLS (smtps:// or after STARTTLS). */
  encrypted = false;

  private constructor(
    private readonly cfg: SmtpConfig,
    private readonly timeoutMs: number,
    private readonly tlsOptions: SmtpTlsOptions,
  ) {}

  static async open(cfg: SmtpConfig, opts: { timeoutMs?: number; clientName?: string; tls?: SmtpTlsOptions } = {}): Promise<SmtpConnection> {
    const conn = new SmtpConnection(cfg, opts.timeoutMs ?? 10_000, opts.tls ?? {});
    try {
      await conn.connect(opts.clientName ?? "tributary.local");
    } catch (err) {
      // A refused greeting, STARTTLS or AUTH must not leave the socket open.
      (conn.socket as net.Socket | undefined)?.destroy();
      throw err;
    }
    return conn;
  }

  private tlsTarget() {
    return { servername: net.isIP(this.cfg.host) ? undefined : this.cfg.host, ...(this.tlsOptions.ca ? { ca: this.tlsOptions.ca } : {}) };
  }

  private readonly onChunk = (chunk: string) => this.onData(chunk);
  private readonly onError = (err: Error) => this.fail(err);
  private readonly onClose = () => this.fail(new Error("SMTP connection closed"));

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", this.onChunk);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
  }

  private async connect(clientName: string): Promise<void> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const s = this.cfg.secure
        ? tls.connect({ host: this.cfg.host, port: this.cfg.port, ...this.tlsTarget() }, () => resolve(s))
        : net.connect({ host: this.cfg.host, port: this.cfg.port }, () => resolve(s));
      s.once("error", onError);
      s.setTimeout(this.timeoutMs, () => s.destroy(new Error(`SMTP connection to ${this.cfg.host}:${this.cfg.port} timed out`)));
    });
    this.attach(socket);
    this.encrypted = this.cfg.secure;
    await this.expect(220);
    let ehlo = await this.command(`EHLO ${clientName}`, 250);
    const mode = this.cfg.starttls ?? "opportunistic";
    if (!this.encrypted && mode !== "off") {
      const offered = ehlo.lines.some((l) => /^250[- ]STARTTLS\b/i.test(l));
      if (offered) {
        await this.command("STARTTLS", 220);
        await this.upgrade();
        // RFC 3207 §4.2: forget what the server said before TLS and ask again.
        ehlo = await this.command(`EHLO ${clientName}`, 250);
      } else if (mode === "required") {
        throw new Error(`SMTP server ${this.cfg.host}:${this.cfg.port} does not offer STARTTLS, and SMTP_URL requires it.`);
      }
    }
    if (this.cfg.user !== undefined) {
      const token = Buffer.from(`\u0000${this.cfg.user}\u0000${this.cfg.pass ?? ""}`, "utf8").toString("base64");
      await this.command(`AUTH PLAIN ${token}`, 235);
    }
  }

  /** Hands the plain socket to TLS, verifying the server's certificate, and reads on through it. */
  private async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.off("data", this.onChunk);
    plain.off("error", this.onError);
    plain.off("close", this.onClose);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, ...this.tlsTarget() }, () => resolve(s));
      s.once("error", (err) => reject(new Error(`SMTP STARTTLS handshake with ${this.cfg.host} failed: ${err.message}`)));
    });
    this.attach(secure);
    this.encrypted = true;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let idx: number;
    while ((idx = this.buffer.indexOf("\r\n")) >= 0) {
      const line = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      this.pending.push(line);
      // "250-..." continues a multi-line reply; "250 ..." ends it.
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines: this.pending };
        this.pending = [];
        const w = this.waiters.shift();
        if (w) w.resolve(reply);
        else this.replies.push(reply);
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private read(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("SMTP server did not answer in time")), this.timeoutMs);
      this.waiters.push({
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private async expect(code: number): Promise<Reply> {
    const reply = await this.read();
    if (reply.code !== code) throw new SmtpError(reply.code, `SMTP ${reply.code}: ${reply.lines.join(" ").slice(4)}`);
    return reply;
  }

  private async command(line: string, code: number): Promise<Reply> {
    if (/[\r\n]/.test(line)) throw new Error("SMTP command with a line break");
    this.socket.write(`${line}\r\n`);
    return this.expect(code);
  }

  async send(msg: MailMessage): Promise<void> {
    try {
      await this.command(`MAIL FROM:<${envelopeAddress(msg.from)}>`, 250);
      await this.command(`RCPT TO:<${envelopeAddress(msg.to)}>`, 250);
      await this.command("DATA", 354);
      this.socket.write(dotStuff(buildMessage(msg)));
      await this.expect(250);
    } catch (err) {
      // Leave the session clean for the next message after a refused recipient.
      if (err instanceof SmtpError && !this.failure) await this.command("RSET", 250).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (!this.failure) await this.command("QUIT", 221).catch(() => undefined);
    this.socket.end();
    this.socket.destroy();
  }
}

/** One message on its own connection. */
export async function sendMail(cfg: SmtpConfig, msg: MailMessage, opts: { timeoutMs?: number; tls?: SmtpTlsOptions } = {}): Promise<void> {
  const conn = await SmtpConnection.open(cfg, opts);
  try {
    await conn.send(msg);
  } finally {
    await conn.close();
  }
}
