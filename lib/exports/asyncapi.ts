/**
 * A product as an AsyncAPI 3.0.0 document: the cluster's bootstrap brokers as kafka servers with
 * a SASL/SCRAM-SHA-512 security scheme (every subscription gets its own SCRAM credential), one
 * channel per delivery topic (per serving contract major and masking tier, named by
 * lib/kafka/names), each with the major's message, and a receive operation per channel.
 */
import { deliveryTopicName, sanitizeNameComponent } from "@/lib/kafka/names";
import { inlineLocalRefs, RefInlineError } from "./inline-refs";
import type { ExportSource, ExportVersion } from "./source";
import type { YamlValue } from "./yaml";

type Obj = { [key: string]: YamlValue };

export const ASYNCAPI_VERSION = "3.0.0";
const AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro+json;version=1.9.0";

/**
 * The JSON Schema draft a contract schema is written in, as an AsyncAPI schemaFormat: lib/contracts
 * validates draft-07/06 when `$schema` says so and draft 2020-12 otherwise (its default).
 */
export function jsonSchemaFormat(schema: unknown): string {
  const declared = typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  const old = typeof declared === "string" ? /draft-0([67])\/schema/.exec(declared) : null;
  return `application/schema+json;version=${old ? `draft-0${old[1]}` : "2020-12"}`;
}

/**
 * A message payload: a multi-format schema object naming the schema's format. A JSON Schema's
 * local $refs are inlined (refusing cycles), since "#/$defs/x" inside an AsyncAPI document would
 * resolve against the document's root. Avro names its types inline already.
 */
function payloadOf(v: ExportVersion): YamlValue {
  if (v.schemaFormat === "avro") return { schemaFormat: AVRO_SCHEMA_FORMAT, schema: v.schema as YamlValue };
  const schemaFormat = jsonSchemaFormat(v.schema);
  try {
    return { schemaFormat, schema: inlineLocalRefs(v.schema, { siblingsApply: schemaFormat.endsWith("2020-12") }) as YamlValue };
  } catch (e) {
    if (e instanceof RefInlineError) throw new AsyncApiExportError(`Contract ${v.version}: ${e.message}.`);
    throw e;
  }
}

/** The document cannot be built from this contract (the route answers 422 with the message). */
export class AsyncApiExportError extends Error {}

/** Ids usable as AsyncAPI map keys and in $ref pointers. */
const idOf = (s: string) => sanitizeNameComponent(s).replace(/[^a-z0-9_-]/g, "-");

export function buildAsyncApiDocument(src: ExportSource): Obj {
  const p = src.product;
  const servers: Obj = {};
  const clusterId = idOf(src.cluster.name);
  src.cluster.bootstrap.forEach((host, i) => {
    servers[src.cluster.bootstrap.length === 1 ? clusterId : `${clusterId}-${i + 1}`] = {
      host,
      protocol: "kafka",
      description: `Kafka bootstrap broker of cluster ${src.cluster.name}. Authenticate with your subscription's SCRAM-SHA-512 credential.`,
      security: [{ $ref: "#/components/securitySchemes/scramSha512" }],
    };
  });

  const messages: Obj = {};
  const channels: Obj = {};
  const operations: Obj = {};
  for (const v of src.serving) {
    const messageId = `record-v${v.major}`;
    messages[messageId] = {
      name: messageId,
      title: `${p.name} record (contract ${v.version})`,
      summary: `One record of ${p.name}, valid against contract version ${v.version}.`,
      contentType: "application/json",
      payload: payloadOf(v),
    };
    for (const tier of src.tiers) {
      const topic = deliveryTopicName(p.slug, v.major, tier.name);
      const channelId = `v${v.major}-${idOf(tier.name)}`;
      const masking = tier.fullAccess ? "unmasked (full access)" : "masked per the contract's masking rules for this tier";
      channels[channelId] = {
        address: topic,
        title: `${p.name} v${v.major} – ${tier.name}`,
        description: `Contract ${v.version}, tier ${tier.name}: ${masking}.${v.sunsetAt ? ` Serving until ${v.sunsetAt.toISOString().slice(0, 10)}.` : ""}`,
        messages: { record: { $ref: `#/components/messages/${messageId}` } },
        bindings: { kafka: { topic, bindingVersion: "0.5.0" } },
      };
      operations[`receive-${channelId}`] = {
        action: "receive",
        channel: { $ref: `#/channels/${channelId}` },
        summary: `Consume ${p.name} (v${v.major}, ${tier.name} tier) with a consumer group under your subscription's group prefix.`,
        messages: [{ $ref: `#/channels/${channelId}/messages/record` }],
      };
    }
  }

  const contact = src.version.supportContact ?? p.contactEmail ?? src.team.contactEmail;
  return {
    asyncapi: ASYNCAPI_VERSION,
    id: `urn:tributary:product:${p.slug}`,
    info: {
      title: p.name,
      version: src.version.version,
      description: [p.summary, p.status === "deprecated" && p.sunsetAt ? `Deprecated: sunset ${p.sunsetAt.toISOString().slice(0, 10)}.` : ""].filter(Boolean).join("\n\n") || p.name,
      contact: contact ? { name: src.team.name, email: contact.includes("@") ? contact.replace(/^mailto:/, "") : undefined, url: contact.includes("@") ? undefined : contact } : { name: src.team.name },
      tags: p.tags.map((name) => ({ name })),
    },
    defaultContentType: "application/json",
    servers,
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scramSha512: {
          type: "scramSha512",
          description: "SASL/SCRAM-SHA-512 with the username and password revealed for your subscription in Tributary.",
        },
      },
    },
  };
}
