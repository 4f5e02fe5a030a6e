/**
 * next-auth reports failures as short codes (?error=… or result.error); these are the
 * sentences a person sees. Lockout arrives as "locked:<minutes>" from authorize().
 */
export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  const locked = /^locked:(\d+)$/.exec(code);
  if (locked) {
    const n = Number(locked[1]);
    return `Too many attempts. Try again in ${n} minute${n === 1 ? "" : "s"}.`;
  }
  switch (code) {
    case "CredentialsSignin":
      return "Wrong email or password.";
    case "disabled":
      return "This account is disabled. Ask an administrator to re-enable it.";
    case "NoAccount":
    case "AccessDenied":
      return "There is no Tributary account for this sign-in. Ask an administrator for an invitation.";
    case "OAuthSignin":
    case "OAuthCallback":
    case "Callback":
      return "Single sign-on did not complete. Please try again.";
    case "SessionRequired":
      return "Please sign in to continue.";
    default:
      return "Sign-in failed. Please try again.";
  }
}
