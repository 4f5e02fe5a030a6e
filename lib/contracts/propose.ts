/**
 * One call for the wizard's "infer from the topic" step: schema, field list with PII suggestions
 * and the warnings to show, from raw sampled message values.
 */
import { buildFieldList, SchemaShapeError } from "./fields";
import { inferSchemaFromMessages, parseSamples, type RawMessage } from "./infer";
import type { ContractField, JsonObject } from "./types";

export type Proposal =
  | { ok: true; schema: JsonObject; fields: ContractField[]; suggestions: Record<string, string>; warnings: string[]; sampleCount: number }
  | { ok: false; message: string };

export function proposeContract(messages: readonly RawMessage[], options: { title?: string; previous?: readonly ContractField[] } = {}): Proposal {
  const inferred = inferSchemaFromMessages(messages, { title: options.title });
  if (!inferred.ok) return inferred;
  try {
    const { fields, suggestions } = buildFieldList("json-schema", inferred.schema, { samples: parseSamples(messages).values, previous: options.previous });
    return { ok: true, schema: inferred.schema, fields, suggestions, warnings: inferred.warnings, sampleCount: inferred.sampleCount };
  } catch (e) {
    // Inference caps properties at INFER_MAX_PROPERTIES, but nesting can still multiply fields.
    if (e instanceof SchemaShapeError) return { ok: false, message: `The sampled messages are too large to list as fields (${e.detail}). Upload a schema instead.` };
    throw e;
  }
}
