/**
 * Every Kafka topic, consumer-group and principal name the product uses is made here, so that
 * ACL patterns, the router and the provisioner always agree.
 *
 * Kafka names allow [a-zA-Z0-9._-] up to 249 characters. Slugs and tier names are lower-cased
 * and anything else becomes "-". Components are joined with "." so a prefix ending in "." can
 * never cover a sibling (sub-1. does not cover sub-12.).
 */

const ROOT = "tributary";
const MAX_TOPIC_LENGTH = 249;

export function sanitizeNameComponent(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === "") throw new Error(`Cannot derive a Kafka name component from ${JSON.stringify(value)}`);
  return cleaned;
}

function topic(...parts: string[]): string {
  const name = [ROOT, ...parts].join(".");
  if (name.length > MAX_TOPIC_LENGTH) throw new Error(`Kafka topic name too long: ${name}`);
  return name;
}

/** The topic the router writes for one product, contract major version and masking tier. */
export function deliveryTopicName(productSlug: string, contractMajor: number, tierName: string): string {
  if (!Number.isInteger(contractMajor) || contractMajor < 0) throw new Error(`Invalid contract major ${contractMajor}`);
  return topic("delivery", sanitizeNameComponent(productSlug), `v${contractMajor}`, sanitizeNameComponent(tierName));
}

/** Records that break a product's contract; only the owner and the platform read it. */
export function dlqTopicName(productSlug: string): string {
  return topic("dlq", sanitizeNameComponent(productSlug));
}

/** The consumer-group prefix a subscription may use (granted as a PREFIXED READ ACL). */
export function groupPrefix(subscriptionId: string): string {
  return `${ROOT}.sub.${sanitizeNameComponent(subscriptionId)}.`;
}

/** Group names the platform's own workers use (router, meter). */
export function internalGroupName(worker: string): string {
  return `${ROOT}.internal.${sanitizeNameComponent(worker)}`;
}

/**
 * The SASL user name of a subscription's credential. A rotation gets a new user (generation
 * 1, 2, ...), so the previous secret can keep working through a grace period under its own name.
 */
export function subscriptionUsername(subscriptionId: string, generation = 0): string {
  const base = `sub-${sanitizeNameComponent(subscriptionId)}`;
  return generation === 0 ? base : `${base}-r${generation}`;
}

/** Kafka principal for a SASL user name. */
export function principalName(username: string): string {
  return `User:${username}`;
}

/** Inverse of principalName; undefined for non-User principals. */
export function usernameOfPrincipal(principal: string): string | undefined {
  return principal.startsWith("User:") ? principal.slice(5) : undefined;
}
