import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { applyConsumerByteRate } from "@/lib/kafka/quota-admin";
import type { CredentialDeps } from "./credentials";

/**
 * One short-lived provisioner per reveal or rotation, from the environment: reveals are rare and
 * the user waits for the cluster anyway. Used by the server actions and the token API alike.
 */
export async function withCredentialDeps<T>(run: (deps: CredentialDeps) => Promise<T>): Promise<T> {
  const connection = kafkaConnectionFromEnv();
  const provisioner = createProvisioner(connection);
  try {
    return await run({
      provisioner,
      bootstrap: connection.brokers,
      ssl: connection.ssl,
      applyQuota: (username, rate) => applyConsumerByteRate(connection, username, rate),
    });
  } finally {
    await provisioner.close();
  }
}
