import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { kafkaConnectionFromEnv, kafkajsSsl } from "./client";

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

describe("TLS from the environment", () => {
  it("KAFKA_SSL turns TLS on, KAFKA_SSL_CA_FILE adds a CA, and kafkajs gets the matching ssl option", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kafka-ca-"));
    try {
      const caFile = path.join(dir, "ca.pem");
      writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      withEnv({ KAFKA_BROKERS: "k1:9093", KAFKA_SSL: "1", KAFKA_SSL_CA_FILE: caFile, KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" });
      const c = kafkaConnectionFromEnv();
      expect(c).toMatchObject({ brokers: ["k1:9093"], ssl: true, tlsCa: expect.stringContaining("BEGIN CERTIFICATE"), sasl: { mechanism: "plain" } });
      expect(kafkajsSsl(c)).toEqual({ ca: [c.tlsCa] });
      withEnv({ KAFKA_BROKERS: "k1:9093", KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: undefined, KAFKA_SASL_MECHANISM: undefined });
      expect(kafkaConnectionFromEnv()).toEqual({ brokers: ["k1:9093"], ssl: true });
      expect(kafkajsSsl({ ssl: true })).toBe(true);
      withEnv({ KAFKA_BROKERS: "k1:9092", KAFKA_SSL: undefined });
      expect(kafkaConnectionFromEnv().ssl).toBeUndefined();
      expect(kafkajsSsl({ ssl: false, tlsCa: "x" })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
