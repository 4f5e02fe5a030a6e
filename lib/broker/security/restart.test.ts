import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { startBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { ScramAdminClient } from "@/lib/kafka/scram-admin";
import { securityBrokerOptions } from ".";

const dataDir = mkdtempSync(path.join(tmpdir(), "broker-sec-restart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function kafka(port: number, username: string, password: string): Kafka {
  return new Kafka({
    brokers: [`localhost:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "scram-sha-256", username, password },
  });
}

describe("security state across a broker restart", () => {
  it("keeps users and ACLs, and rewrites the admin credentials from the new password", async () => {
    const first = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions("first-pw") });
    const scram = await ScramAdminClient.connect({
      connection: { brokers: [first.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: "first-pw" } },
    });
    await scram.upsertUser("carol", "carol-pw", "SCRAM-SHA-256");
    scram.close();
    const admin = kafka(first.port, "admin", "first-pw").admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.GROUP,
          resourceName: "carol-",
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal: "User:carol",
          host: "*",
          operation: AclOperationTypes.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
    await admin.disconnect();
    await first.close();

    const stored = readFileSync(path.join(dataDir, "security", "scram-credentials.json"), "utf8");
    expect(stored).not.toMatch(/carol-pw|first-pw/);

    const second = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions("second-pw") });
    try {
      const carol = kafka(second.port, "carol", "carol-pw").admin();
      await carol.connect();
      await carol.disconnect();
      await expect(kafka(second.port, "admin", "first-pw").admin().connect()).rejects.toThrow(/authentication failed/);
      const admin2 = kafka(second.port, "admin", "second-pw").admin();
      await admin2.connect();
      const acls = await admin2.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      await admin2.disconnect();
      expect(acls.resources.map((r) => `${r.resourceName}:${r.acls.map((a) => a.principal).join()}`)).toEqual(["carol-:User:carol"]);
    } finally {
      await second.close();
    }
  });
});
