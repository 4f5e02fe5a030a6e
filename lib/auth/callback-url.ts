/**
 * Where to go after signing in. Only same-origin absolute paths are honoured: "//evil.example"
 * and "/\\evil.example" are protocol-relative to browsers, and anything with a scheme is
 * off-site, so those fall back to the default. Prevents an open redirect through ?callbackUrl=.
 */
export function safeCallbackPath(raw: string | null | undefined, fallback = "/catalog"): string {
  if (!raw || typeof raw !== "string" || raw.length > 2048) return fallback;
  const value = raw.trim();
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\\]/.test(value)) return fallback;
  // Landing back on the sign-in page after signing in would look like a failed attempt.
  if (value.startsWith("/sign-in") || value.startsWith("/sign-out")) return fallback;
  return value;
}
