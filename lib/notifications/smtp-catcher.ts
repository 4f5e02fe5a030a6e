import net from "node:net";
import tls from "node:tls";

/**
 * A local SMTP server for tests: speaks enough of RFC 5321 for our client, records every
 * message (envelope, AUTH identity, whether it came inside TLS, the data with dot-stuffing
 * undone) and can refuse recipients, require a password, offer STARTTLS (RFC 3207) with a given
 * certificate and require it. Never used outside tests.
 */
export type CaughtMessage = { from: string; to: string[]; data: string; authUser: string | null; tls: boolean };

export type CatcherOptions = {
  auth?: { user: string; pass: string };
  refuse?: string[];
  tempFail?: string[];
  /** Offer STARTTLS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Refuse MAIL and AUTH before STARTTLS (530), as a provider that requires TLS does. */
  requireTls?: boolean;
};

export type SmtpCatcher = {
  port: number;
  url: (auth?: { user: string; pass: string }) => string;
  messages: CaughtMessage[];
  close(): Promise<void>;
};

export async function startSmtpCatcher(opts: CatcherOptions = {}): Promise<SmtpCatcher> {
  const messages: CaughtMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setEncoding("utf8");
    let buf = "";
    let inData = false;
    let dataLines: string[] = [];
    let from = "";
    let to: string[] = [];
    let authUser: string | null = null;
    let stream: net.Socket = socket;
    let secure = false;
    const reply = (s: string) => stream.write(`${s}\r\n`);
    reply("220 catcher ESMTP ready");
    const onData = (chunk: string) => {
      buf += chunk;
      let idx: number;
      while ((idx = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            messages.push({ from, to, data: dataLines.join("\r\n"), authUser, tls: secure });
            dataLines = [];
            from = "";
            to = [];
            reply("250 2.0.0 queued");
          } else {
            dataLines.push(line.startsWith(".") ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.split(" ")[0].toUpperCase();
        if (verb === "EHLO" || verb === "HELO") {
          stream.write(`250-catcher greets you\r\n250-8BITMIME\r\n${opts.tls && !secure ? "250-STARTTLS\r\n" : ""}250 AUTH PLAIN\r\n`);
        } else if (verb === "STARTTLS" && opts.tls && !secure) {
          reply("220 2.0.0 ready to start TLS");
          // Everything before the handshake is forgotten (RFC 3207 §4.2).
          socket.off("data", onData);
          buf = "";
          from = "";
          to = [];
          authUser = null;
          const upgraded = new tls.TLSSocket(socket, { isServer: true, key: opts.tls.key, cert: opts.tls.cert });
          upgraded.on("error", () => undefined);
          upgraded.setEncoding("utf8");
          upgraded.on("data", onData);
          stream = upgraded;
          secure = true;
          return;
        } else if (opts.requireTls && !secure && (verb === "AUTH" || verb === "MAIL")) {
          reply("530 5.7.0 must issue a STARTTLS command first");
        } else if (verb === "AUTH") {
          const [, mech, token] = line.split(" ");
          const [, user, pass] = Buffer.from(token ?? "", "base64").toString("utf8").split("\u0000");
          if (mech?.toUpperCase() !== "PLAIN" || (opts.auth && (user !== opts.auth.user || pass !== opts.auth.pass))) reply("535 5.7.8 authentication failed");
          else {
            authUser = user;
            reply("235 2.7.0 authenticated");
          }
        } else if (verb === "MAIL") {
          if (opts.auth && !authUser) reply("530 5.7.0 authentication required");
          else {
            from = /<([^>]*)>/.exec(line)?.[1] ?? "";
            reply("250 2.1.0 ok");
          }
        } else if (verb === "RCPT") {
          const rcpt = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (opts.refuse?.includes(rcpt)) reply("550 5.1.1 no such mailbox");
          else if (opts.tempFail?.includes(rcpt)) reply("451 4.3.0 try again later");
          else {
            to.push(rcpt);
            reply("250 2.1.5 ok");
          }
        } else if (verb === "DATA") {
          if (!to.length) reply("554 5.5.1 no valid recipients");
          else {
            inData = true;
            reply("354 end data with <CR><LF>.<CR><LF>");
          }
        } else if (verb === "RSET") {
          from = "";
          to = [];
          reply("250 2.0.0 reset");
        } else if (verb === "QUIT") {
          reply("221 2.0.0 bye");
          stream.end();
        } else {
          reply("502 5.5.2 command not implemented");
        }
      }
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    messages,
    url: (auth) => (auth ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Decodes the body of a caught message (7bit or base64) for assertions. */
export function caughtBody(data: string): string {
  const [head, ...rest] = data.split("\r\n\r\n");
  const body = rest.join("\r\n\r\n");
  return /Content-Transfer-Encoding: base64/i.test(head) ? Buffer.from(body.replace(/\r\n/g, ""), "base64").toString("utf8") : body;
}

export function caughtHeader(data: string, name: string): string | null {
  const head = data.split("\r\n\r\n")[0].replace(/\r\n[ \t]/g, " ");
  const m = new RegExp(`^${name}: (.*)$`, "im").exec(head);
  return m ? m[1] : null;
}
