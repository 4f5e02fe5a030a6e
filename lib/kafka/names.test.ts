import { describe, expect, it } from "vitest";
import {
  deliveryTopicName,
  dlqTopicName,
  groupPrefix,
  principalName,
  sanitizeNameComponent,
  subscriptionUsername,
  usernameOfPrincipal,
} from "./names";
import { subscriptionAclEntries } from "./provisioning";

describe("Kafka names", () => {
  it("builds valid, distinct topic names", () => {
    expect(deliveryTopicName("Network Events", 2, "Masked PII")).toBe("tributary.delivery.network-events.v2.masked-pii");
    expect(dlqTopicName("network-events")).toBe("tributary.dlq.network-events");
    expect(deliveryTopicName("a", 1, "full")).not.toBe(deliveryTopicName("a", 2, "full"));
    for (const n of [deliveryTopicName("x/y", 0, "t"), dlqTopicName("Ünïcode prod")]) {
      expect(n).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
    }
    expect(() => deliveryTopicName("!!!", 1, "t")).toThrow();
    expect(() => deliveryTopicName("p", -1, "t")).toThrow();
    expect(() => deliveryTopicName("p".repeat(300), 1, "t")).toThrow(/too long/);
  });

  it("group prefixes end with a separator so one subscription never covers another", () => {
    const a = groupPrefix("sub-1");
    const b = groupPrefix("sub-12");
    expect(a).toBe("tributary.sub.sub-1.");
    expect(b.startsWith(a)).toBe(false);
  });

  it("principals round-trip and rotations get their own user", () => {
    const id = "0b7c1f4e-5a8e-4d7c-9f1e-2b3c4d5e6f70";
    expect(subscriptionUsername(id)).toBe(`sub-${id}`);
    expect(subscriptionUsername(id, 2)).toBe(`sub-${id}-r2`);
    expect(usernameOfPrincipal(principalName("alice"))).toBe("alice");
    expect(usernameOfPrincipal("Group:x")).toBeUndefined();
    expect(sanitizeNameComponent("--A b--")).toBe("a-b");
  });

  it("a subscription grant is READ+DESCRIBE on its topic literal and READ on its group prefix, nothing else", () => {
    const entries = subscriptionAclEntries({ principal: "User:s1", topic: "t", groupPrefix: "g." });
    expect(entries.map((e) => [e.resourceType, e.resourceName, e.resourcePatternType, e.operation, e.permissionType, e.host])).toEqual([
      [2, "t", 3, 3, 3, "*"],
      [2, "t", 3, 8, 3, "*"],
      [3, "g.", 4, 3, 3, "*"],
    ]);
    expect(() => subscriptionAclEntries({ principal: "s1", topic: "t", groupPrefix: "g." })).toThrow();
  });
});
