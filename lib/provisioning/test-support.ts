import type { KafkaAccessProvisioner } from "@/lib/kafka/provisioning";

/**
 * For tests: a provisioner that forwards to `base` except for the methods in `overrides`, e.g.
 * one that fails the ACL step once, or hangs. Every interface method is forwarded explicitly, so
 * a method added to the interface fails to compile here rather than silently hitting `undefined`.
 */
export function wrapProvisioner(base: KafkaAccessProvisioner, overrides: Partial<KafkaAccessProvisioner>): KafkaAccessProvisioner {
  const forward: KafkaAccessProvisioner = {
    kind: `test-wrapped-${base.kind}`,
    upsertScramUser: (...a) => base.upsertScramUser(...a),
    deleteScramUser: (...a) => base.deleteScramUser(...a),
    grantSubscriptionAcls: (...a) => base.grantSubscriptionAcls(...a),
    revokeSubscriptionAcls: (...a) => base.revokeSubscriptionAcls(...a),
    deleteAcls: (...a) => base.deleteAcls(...a),
    deleteAllAcls: (...a) => base.deleteAllAcls(...a),
    listPrincipalsAndAcls: () => base.listPrincipalsAndAcls(),
    // The base belongs to the test that made it; closing the wrapper must not close it.
    close: async () => {},
  };
  return { ...forward, ...overrides };
}
