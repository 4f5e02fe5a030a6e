/**
 * The contracts library: pure functions for publishing (inference, fields, PII, schema and rule
 * checks, compatibility) and for the router (compiled validators). No I/O, no database.
 */
export * from "./types";
export * from "./semver";
export { inferSchema, inferSchemaFromMessages, parseSamples, sortKeysDeep, type InferResult, type InferFromMessagesResult, type RawMessage } from "./infer";
export { flattenSchema, flattenJsonSchema, flattenAvroSchema, buildFieldList, fieldsByPath, suggestPii, SchemaShapeError, type PiiSuggestion } from "./fields";
export { valuesAt, parsePath } from "./paths";
export { proposeContract, type Proposal } from "./propose";
export { parseAvroSchema, AvroSchemaError, type AvroType } from "./avro";
export { parseExpression, compileExpression, evaluateExpression, expressionFields, ExpressionError } from "./expression";
export { checkPatternSafety } from "./regex-safety";
export { compileRule, compileRules, RuleError } from "./rules";
export { qualityRuleSchema, qualityRulesSchema, schemaFormatSchema } from "./schemas";
export {
  compileContract,
  checkRules,
  checkSchema,
  parseSchemaText,
  decodeRecord,
  RECORD_MAX_BYTES,
  ContractCompileError,
  type ContractSpec,
  type ContractValidator,
  type RulesCheck,
  type SchemaCheck,
  type Issue,
} from "./validate";
export { diffSchemas, checkCompatibility, requiredBump, breaksMode, type SchemaChange, type ChangeKind, type CompatibilityMode, type CompatibilityReport } from "./compat";
