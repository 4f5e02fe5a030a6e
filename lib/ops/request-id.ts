/**
 * Request ids: proxy.ts gives every request an `x-request-id` (kept from the client or a
 * trusted proxy when it looks sane, generated otherwise), passes it to the app and echoes it in
 * the response, so a user's report, the access log and the app's JSON logs can be joined.
 */
export const REQUEST_ID_HEADER = "x-request-id";

const SANE = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(incoming: string | null | undefined, generate: () => string = () => crypto.randomUUID()): string {
  return incoming && SANE.test(incoming) ? incoming : generate();
}

/** The current request's id inside server components, actions and route handlers. */
export async function currentRequestId(): Promise<string | undefined> {
  const { headers } = await import("next/headers");
  return (await headers()).get(REQUEST_ID_HEADER) ?? undefined;
}
