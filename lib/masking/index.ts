/**
 * The masking engine: pure functions, no I/O. The router masks each record per tier with it, the
 * publish wizard previews with it and the publish checks validate with it. See README.md here.
 */
export { compileMaskingPolicy, MaskingPolicyError, type CompileMaskingPolicyInput } from "./compile";
export { deriveProductKey } from "./keys";
export { parseFieldPath, MAX_PATH_DEPTH, type PathStep } from "./paths";
export { analyzeFields, MAX_FIELDS, piiLabel, toFieldErrors, validateTierRules, type FieldNode, type FieldTree } from "./policy";
export { checkRuleForType, DEFAULT_KEEP_LAST, DEFAULT_REDACTION, parseMaskRule } from "./rules";
export * from "./types";
