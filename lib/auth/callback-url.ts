/**
 * A same-origin absolute path, or null. "//evil.example" and "/\evil.example" are
 * protocol-relative to browsers and anything with a scheme is off-site, so those are refused;
 * this is what stops an open redirect through ?callbackUrl=.
 */
export function sameOriginPath(raw: string | null | undefined): string | null {
  if (!raw || typeof raw !== "string" || raw.length > 2048) return null;
  const value = raw.trim();
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\\]/.test(value)) return null;
  return value;
}

/** Where to go after signing in: a same-origin path, never back to the sign-in pages. */
export function safeCallbackPath(raw: string | null | undefined, fallback = "/catalog"): string {
  const path = sameOriginPath(raw);
  // Landing back on the sign-in page after signing in would look like a failed attempt.
  if (!path || /^\/sign-(in|up|out)(?=$|[/?#])/.test(path)) return fallback;
  return path;
}
