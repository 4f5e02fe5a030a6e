/**
 * Ready-to-paste connection snippets for a revealed credential. Pure: the caller passes the
 * password it just generated and shows the result once; nothing here is stored or logged.
 */
export type SnippetInput = {
  bootstrap: string[];
  username: string;
  password: string;
  topic: string;
  groupPrefix: string;
  /** Kafka's name, e.g. "SCRAM-SHA-512". */
  mechanism: "SCRAM-SHA-512" | "SCRAM-SHA-256";
  /** TLS to the cluster (SASL_SSL) or not (SASL_PLAINTEXT, the embedded broker). */
  ssl: boolean;
};

export type ConnectionSnippets = { kafkajs: string; javaProperties: string; python: string; kcat: string };

/** JSON string literal escaping is valid JavaScript and Python for the characters we generate and more. */
const lit = (s: string) => JSON.stringify(s);

/** Java properties: backslash, quote and the JAAS line's own quoting. */
const jaasQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** POSIX shell single quotes. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function buildConnectionSnippets(i: SnippetInput): ConnectionSnippets {
  const group = `${i.groupPrefix}my-app`;
  const protocol = i.ssl ? "SASL_SSL" : "SASL_PLAINTEXT";
  const kafkajs = [
    `import { Kafka } from "kafkajs";`,
    ``,
    `const kafka = new Kafka({`,
    `  clientId: "my-app",`,
    `  brokers: ${JSON.stringify(i.bootstrap)},`,
    `  ssl: ${i.ssl},`,
    `  sasl: { mechanism: ${lit(i.mechanism.toLowerCase())}, username: ${lit(i.username)}, password: ${lit(i.password)} },`,
    `});`,
    `const consumer = kafka.consumer({ groupId: ${lit(group)} });`,
    `await consumer.connect();`,
    `await consumer.subscribe({ topic: ${lit(i.topic)}, fromBeginning: true });`,
    `await consumer.run({ eachMessage: async ({ message }) => console.log(message.value?.toString()) });`,
  ].join("\n");
  const javaProperties = [
    `bootstrap.servers=${i.bootstrap.join(",")}`,
    `security.protocol=${protocol}`,
    `sasl.mechanism=${i.mechanism}`,
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuote(i.username)} password=${jaasQuote(i.password)};`,
    `group.id=${group}`,
    `# topic: ${i.topic}`,
    `auto.offset.reset=earliest`,
  ].join("\n");
  const python = [
    `from confluent_kafka import Consumer`,
    ``,
    `consumer = Consumer({`,
    `    "bootstrap.servers": ${lit(i.bootstrap.join(","))},`,
    `    "security.protocol": ${lit(protocol)},`,
    `    "sasl.mechanisms": ${lit(i.mechanism)},`,
    `    "sasl.username": ${lit(i.username)},`,
    `    "sasl.password": ${lit(i.password)},`,
    `    "group.id": ${lit(group)},`,
    `    "auto.offset.reset": "earliest",`,
    `})`,
    `consumer.subscribe([${lit(i.topic)}])`,
    `while True:`,
    `    msg = consumer.poll(1.0)`,
    `    if msg is not None and msg.error() is None:`,
    `        print(msg.value())`,
  ].join("\n");
  // Every option before `-G <group> <topic>`: only GNU getopt lets options follow the topic;
  // macOS/BSD getopt stops at the first non-option and would take the -X lines as topics.
  const kcat = [
    `kcat -b ${sh(i.bootstrap.join(","))} \\`,
    `  -X security.protocol=${protocol} -X sasl.mechanisms=${i.mechanism} \\`,
    `  -X sasl.username=${sh(i.username)} -X sasl.password=${sh(i.password)} \\`,
    `  -X auto.offset.reset=earliest \\`,
    `  -G ${sh(group)} ${sh(i.topic)}`,
  ].join("\n");
  return { kafkajs, javaProperties, python, kcat };
}
