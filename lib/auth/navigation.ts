import { hasRole, type RequiredRole, type SessionUser } from "./roles";

export type NavItem = { href: string; label: string };

/**
 * The app's main navigation. `ready: false` hides a link until its page exists, so nobody
 * clicks into a 404; flip it when the page lands. `role` hides links a user cannot open
 * (the page still checks with requireRole).
 */
const items: (NavItem & { role?: RequiredRole; signedIn?: boolean; ready: boolean })[] = [
  { href: "/catalog", label: "Catalog", ready: true },
  { href: "/subscriptions", label: "My subscriptions", signedIn: true, ready: true },
  { href: "/owner", label: "Owner", role: "owner", ready: true },
  { href: "/finance", label: "Finance", role: "finance", ready: true },
  { href: "/admin/users", label: "Admin", role: "admin", ready: true },
];

export function navItemsFor(user: SessionUser | null): NavItem[] {
  return items
    .filter((i) => i.ready)
    .filter((i) => (i.role ? user !== null && hasRole(user, i.role) : !i.signedIn || user !== null))
    .map(({ href, label }) => ({ href, label }));
}

/** A link is current on its own path and below it (/admin/users/… keeps "Admin" current). */
export function isCurrentPath(pathname: string, href: string): boolean {
  const section = href.startsWith("/admin") ? "/admin" : href;
  return pathname === section || pathname.startsWith(`${section}/`) || (href === "/catalog" && pathname.startsWith("/products/"));
}
