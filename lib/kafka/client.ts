import { readFileSync } from "node:fs";
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type SASLOptions } from "kafkajs";
import { env } from "@/lib/env";

/**
 * The one place kafkajs clients are built. Everything else in the app asks for a `Kafka` here,
 * so switching clients later (kafkajs is looking for maintainers) stays local to lib/kafka.
 */

export type SaslMechanismName = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaSasl {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

export interface KafkaConnectionOptions {
  brokers: string[];
  sasl?: KafkaSasl;
  /** TLS to the brokers (SSL / SASL_SSL listeners); certificates are always verified. */
  ssl?: boolean;
  /** PEM of a private CA to trust besides the system's, with `ssl`. */
  tlsCa?: string;
}

/** kafkajs's `ssl` option for a connection: off, system CAs, or system CAs plus a private one. */
export function kafkajsSsl(c: Pick<KafkaConnectionOptions, "ssl" | "tlsCa">): KafkaConfig["ssl"] {
  if (!c.ssl) return undefined;
  return c.tlsCa ? { ca: [c.tlsCa] } : true;
}

/** KAFKA_SSL and KAFKA_SSL_CA_FILE (read when given, so a missing file fails at start). */
function envTls(e: ReturnType<typeof env>): Pick<KafkaConnectionOptions, "ssl" | "tlsCa"> {
  if (!e.KAFKA_SSL) return {};
  return { ssl: true, ...(e.KAFKA_SSL_CA_FILE ? { tlsCa: readFileSync(e.KAFKA_SSL_CA_FILE, "utf8") } : {}) };
}

/**
 * Connection settings from the environment. With the embedded broker secured by
 * BROKER_ADMIN_PASSWORD and no explicit KAFKA_SASL_*, the app connects as the broker's admin.
 */
export function kafkaConnectionFromEnv(): KafkaConnectionOptions {
  const e = env();
  if (e.KAFKA_SASL_MECHANISM) {
    if (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD) {
      throw new Error("KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is missing");
    }
    return {
      brokers: e.kafkaBrokers,
      sasl: { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD },
      ...envTls(e),
    };
  }
  if (e.kafkaEmbedded && e.BROKER_ADMIN_PASSWORD) {
    return {
      brokers: e.kafkaBrokers,
      sasl: { mechanism: "scram-sha-512", username: "admin", password: e.BROKER_ADMIN_PASSWORD },
    };
  }
  return { brokers: e.kafkaBrokers, ...envTls(e) };
}

function toKafkajsSasl(s: KafkaSasl): SASLOptions {
  switch (s.mechanism) {
    case "plain":
      return { mechanism: "plain", username: s.username, password: s.password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username: s.username, password: s.password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username: s.username, password: s.password };
  }
}

export interface CreateKafkaOptions {
  clientId?: string;
  /** Defaults to kafkaConnectionFromEnv(). */
  connection?: KafkaConnectionOptions;
  /** kafkajs logs are noisy; "error" by default, "nothing" in tests. */
  logLevel?: "nothing" | "error" | "warn" | "info" | "debug";
  /** Retries of kafkajs's own retrier (its default is 5). */
  retries?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const LOG_LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

export function createKafka(opts: CreateKafkaOptions = {}): Kafka {
  const connection = opts.connection ?? kafkaConnectionFromEnv();
  const config: KafkaConfig = {
    clientId: opts.clientId ?? "tributary",
    brokers: connection.brokers,
    logLevel: LOG_LEVELS[opts.logLevel ?? "error"],
    ssl: kafkajsSsl(connection),
    sasl: connection.sasl ? toKafkajsSasl(connection.sasl) : undefined,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 30000,
    retry: opts.retries === undefined ? undefined : { retries: opts.retries },
  };
  return new Kafka(config);
}
