/**
 * What an API token may do. A token never does more than its user could in the UI: scopes only
 * narrow. Team tokens act for one team (with their creator's role in it) and never carry global
 * roles, so finance:read needs a personal token of a finance or admin user.
 */
export const API_SCOPES = {
  "catalog:read": "Search the catalog, read products and contracts",
  "subscriptions:read": "List your teams' subscriptions",
  "subscriptions:write": "Subscribe and request access for your teams",
  "credentials:write": "Rotate your teams' subscription credentials (the new secret is returned once)",
  "requests:read": "List access requests waiting for your review",
  "requests:write": "Approve or deny access requests on your team's products",
  "usage:read": "Read usage of your teams' subscriptions",
  "finance:read": "Read chargeback reports (finance and admin users only)",
} as const;

export type ApiScope = keyof typeof API_SCOPES;
export const ALL_SCOPES = Object.keys(API_SCOPES) as ApiScope[];

export function isApiScope(s: string): s is ApiScope {
  return Object.hasOwn(API_SCOPES, s);
}
