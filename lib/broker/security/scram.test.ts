import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createScramCredential,
  decodeSaslName,
  encodePlain,
  parsePlain,
  SaslAuthenticationError,
  ScramClientSession,
  ScramServerSession,
  verifyPasswordAgainstCredential,
  type ScramCredential,
  type ScramMechanism,
} from "./scram";

// RFC 7677 section 3 test vector (SCRAM-SHA-256, user "user", password "pencil").
const RFC = {
  clientNonce: "rOprNGfwEbeRWgbNEkqO",
  serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  salt: Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"),
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

async function rfcCredential(): Promise<ScramCredential> {
  return createScramCredential("SCRAM-SHA-256", "pencil", { salt: RFC.salt, iterations: 4096 });
}

describe("SCRAM server (RFC 7677 vector)", () => {
  it("produces the RFC's server-first and server-final and accepts its proof", async () => {
    const cred = await rfcCredential();
    const server = new ScramServerSession("SCRAM-SHA-256", (u) => (u === "user" ? cred : undefined), RFC.serverNonce);
    expect(server.handleClientFirst(RFC.clientFirst)).toBe(RFC.serverFirst);
    const { serverFinal, username } = server.handleClientFinal(RFC.clientFinal);
    expect(serverFinal).toBe(RFC.serverFinal);
    expect(username).toBe("user");
  });

  it("the client side reproduces the RFC's client-final and verifies its server-final", async () => {
    const client = new ScramClientSession("SCRAM-SHA-256", "user", "pencil", RFC.clientNonce);
    expect(client.clientFirst()).toBe(RFC.clientFirst);
    expect(await client.handleServerFirst(RFC.serverFirst)).toBe(RFC.clientFinal);
    expect(() => client.verifyServerFinal(RFC.serverFinal)).not.toThrow();
    expect(() => client.verifyServerFinal("v=AAAA")).toThrow(SaslAuthenticationError);
    expect(() => client.verifyServerFinal("e=invalid-proof")).toThrow(/invalid-proof/);
  });

  it("rejects a tampered proof, a wrong nonce and a wrong channel binding", async () => {
    const cred = await rfcCredential();
    const mk = () => {
      const s = new ScramServerSession("SCRAM-SHA-256", () => cred, RFC.serverNonce);
      s.handleClientFirst(RFC.clientFirst);
      return s;
    };
    const badProof = RFC.clientFinal.replace("p=dHzb", "p=dHzc");
    expect(() => mk().handleClientFinal(badProof)).toThrow(SaslAuthenticationError);
    expect(() => mk().handleClientFinal(RFC.clientFinal.replace("%hvY", "%hvZ"))).toThrow(/nonce/);
    expect(() => mk().handleClientFinal(RFC.clientFinal.replace("c=biws", "c=eSws"))).toThrow(/channel binding/);
  });

  it("fails an unknown user only at the proof step, with the same message as a wrong password", async () => {
    const server = new ScramServerSession("SCRAM-SHA-256", () => undefined, RFC.serverNonce);
    const first = server.handleClientFirst(RFC.clientFirst);
    expect(first).toMatch(/^r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,s=[^,]+,i=4096$/);
    expect(() => server.handleClientFinal(RFC.clientFinal)).toThrow("Invalid username or password");

    const cred = await rfcCredential();
    const other = new ScramServerSession("SCRAM-SHA-256", () => cred, RFC.serverNonce);
    other.handleClientFirst(RFC.clientFirst);
    expect(() => other.handleClientFinal(RFC.clientFinal.replace("p=dHzb", "p=dHzc"))).toThrow(
      "Invalid username or password",
    );
  });

  it("rejects malformed client-first messages, channel binding and a foreign authzid", async () => {
    const cred = await rfcCredential();
    const s = () => new ScramServerSession("SCRAM-SHA-256", () => cred);
    expect(() => s().handleClientFirst("garbage")).toThrow(SaslAuthenticationError);
    expect(() => s().handleClientFirst("p=tls-unique,,n=user,r=abc")).toThrow(/Channel binding/);
    expect(() => s().handleClientFirst("n,a=admin,n=user,r=abc")).toThrow(/Authorization id/);
    expect(() => s().handleClientFirst("n,a=user,n=user,r=abc")).not.toThrow();
    expect(() => s().handleClientFirst("n,,n=user")).toThrow(SaslAuthenticationError);
    expect(() => s().handleClientFirst("n,,n=us=er,r=abc")).toThrow(/encoding/);
    const session = s();
    session.handleClientFirst("n,,n=user,r=abc");
    expect(() => session.handleClientFirst("n,,n=user,r=abc")).toThrow(/Unexpected/);
  });
});

describe("librdkafka 2.0.x nonce quirk", () => {
  it("accepts r=<client nonce><combined nonce> with a valid proof, as Kafka does", async () => {
    const cred = await createScramCredential("SCRAM-SHA-512", "pw", { iterations: 4096 });
    const server = new ScramServerSession("SCRAM-SHA-512", () => cred);
    const cnonce = "abc=def~ghi";
    const bare = `n=u,r=${cnonce}`;
    const serverFirst = server.handleClientFirst(`n,,${bare}`);
    const combined = /^r=([^,]+)/.exec(serverFirst)![1];
    const withoutProof = `c=biws,r=${cnonce}${combined}`;
    const authMessage = `${bare},${serverFirst},${withoutProof}`;
    const salted = pbkdf2Sync("pw", cred.salt, cred.iterations, 64, "sha512");
    const clientKey = createHmac("sha512", salted).update("Client Key").digest();
    const storedKey = createHash("sha512").update(clientKey).digest();
    const signature = createHmac("sha512", storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    const { serverFinal } = server.handleClientFinal(`${withoutProof},p=${proof.toString("base64")}`);
    const serverKey = createHmac("sha512", salted).update("Server Key").digest();
    expect(serverFinal).toBe(`v=${createHmac("sha512", serverKey).update(authMessage).digest("base64")}`);
  });

  it("still rejects a final nonce that lacks the server part", async () => {
    const cred = await createScramCredential("SCRAM-SHA-256", "pw");
    const server = new ScramServerSession("SCRAM-SHA-256", () => cred);
    server.handleClientFirst("n,,n=u,r=abc");
    expect(() => server.handleClientFinal("c=biws,r=abc,p=AAAA")).toThrow(/nonce/);
  });
});

describe("SCRAM round trips", () => {
  for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"] as ScramMechanism[]) {
    it(`${mechanism}: client and server agree, escaped names survive, wrong password fails`, async () => {
      const name = "we,ird=name";
      const cred = await createScramCredential(mechanism, "s3cret", { iterations: 4096 });
      const lookup = (u: string) => (u === name ? cred : undefined);

      const client = new ScramClientSession(mechanism, name, "s3cret");
      const server = new ScramServerSession(mechanism, lookup);
      const serverFirst = server.handleClientFirst(client.clientFirst());
      expect(serverFirst.split(",").map((p) => p[0])).toEqual(["r", "s", "i"]);
      const { serverFinal, username } = server.handleClientFinal(await client.handleServerFirst(serverFirst));
      expect(username).toBe(name);
      client.verifyServerFinal(serverFinal);

      const badClient = new ScramClientSession(mechanism, name, "wrong");
      const server2 = new ScramServerSession(mechanism, lookup);
      const sf2 = server2.handleClientFirst(badClient.clientFirst());
      const final2 = await badClient.handleServerFirst(sf2);
      expect(() => server2.handleClientFinal(final2)).toThrow(SaslAuthenticationError);
    });
  }

  it("client refuses a server nonce that does not extend its own and low iteration counts", async () => {
    const client = new ScramClientSession("SCRAM-SHA-256", "u", "p", "abc");
    client.clientFirst();
    await expect(client.handleServerFirst("r=xyz123,s=c2FsdA==,i=4096")).rejects.toThrow(/nonce/);
    await expect(client.handleServerFirst("r=abc123,s=c2FsdA==,i=1000")).rejects.toThrow(SaslAuthenticationError);
  });

  it("verifies a password against a stored credential (PLAIN over the SCRAM store)", async () => {
    const cred = await createScramCredential("SCRAM-SHA-512", "pw");
    expect(await verifyPasswordAgainstCredential("SCRAM-SHA-512", "pw", cred)).toBe(true);
    expect(await verifyPasswordAgainstCredential("SCRAM-SHA-512", "pW", cred)).toBe(false);
  });
});

describe("SASL names and PLAIN", () => {
  it("decodes =2C and =3D", () => {
    expect(decodeSaslName("a=2Cb=3Dc")).toBe("a,b=c");
  });

  it("parses PLAIN and enforces Kafka's authzid rule", () => {
    expect(parsePlain(encodePlain("alice", "pw"))).toEqual({ authzid: "", username: "alice", password: "pw" });
    expect(parsePlain(Buffer.from("alice\0alice\0pw")).username).toBe("alice");
    expect(() => parsePlain(Buffer.from("bob\0alice\0pw"))).toThrow(/authorization id/);
    expect(() => parsePlain(Buffer.from("alice\0pw"))).toThrow(SaslAuthenticationError);
    expect(() => parsePlain(Buffer.from("\0\0pw"))).toThrow(SaslAuthenticationError);
  });
});
