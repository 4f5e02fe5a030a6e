import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { kafkaConnectionFromEnv } from "./client";

function withEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetEnvCache();
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("kafkaConnectionFromEnv", () => {
  it("uses KAFKA_BROKERS and KAFKA_SASL_* when given", () => {
    withEnv({
      KAFKA_BROKERS: "k1:9092, k2:9093",
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_SASL_USERNAME: "svc",
      KAFKA_SASL_PASSWORD: "pw",
      BROKER_ADMIN_PASSWORD: undefined,
    });
    expect(kafkaConnectionFromEnv()).toEqual({
      brokers: ["k1:9092", "k2:9093"],
      sasl: { mechanism: "scram-sha-256", username: "svc", password: "pw" },
    });
  });

  it("refuses a mechanism without credentials", () => {
    withEnv({ KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: undefined, KAFKA_SASL_PASSWORD: undefined });
    expect(() => kafkaConnectionFromEnv()).toThrow(/KAFKA_SASL_USERNAME/);
  });

  it("falls back to the embedded broker's admin when only BROKER_ADMIN_PASSWORD is set", () => {
    withEnv({
      KAFKA_BROKERS: undefined,
      BROKER_PORT: "19099",
      KAFKA_SASL_MECHANISM: undefined,
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
      BROKER_ADMIN_PASSWORD: "local-admin",
    });
    expect(kafkaConnectionFromEnv()).toEqual({
      brokers: ["localhost:19099"],
      sasl: { mechanism: "scram-sha-512", username: "admin", password: "local-admin" },
    });
  });

  it("is plaintext when nothing is configured", () => {
    withEnv({
      KAFKA_BROKERS: undefined,
      BROKER_PORT: undefined,
      KAFKA_SASL_MECHANISM: undefined,
      BROKER_ADMIN_PASSWORD: undefined,
    });
    expect(kafkaConnectionFromEnv()).toEqual({ brokers: ["localhost:9092"] });
  });
});
