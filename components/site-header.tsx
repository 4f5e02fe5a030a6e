import { headers } from "next/headers";
import Link from "next/link";
import { NavLink } from "@/components/auth/nav-link";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { InboxLink } from "@/components/notifications/inbox-link";
import { Badge } from "@/components/ui";
import { navItemsFor } from "@/lib/auth/navigation";
import { roleLabels } from "@/lib/auth/roles";
import { getSessionUser, PATH_HEADER } from "@/lib/auth/session";

/**
 * The app shell's header: brand, main navigation for what this user may open, and the user
 * menu. A server component: who is signed in is read from the database, not from the client.
 */
export async function SiteHeader() {
  const user = await getSessionUser();
  const nav = navItemsFor(user);
  const onSignIn = ((await headers()).get(PATH_HEADER) ?? "").startsWith("/sign-in");
  return (
    <header className="border-b border-slate-200 bg-white">
      <a
        href="#main-content"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:text-brand-700 focus:shadow"
      >
        Skip to main content
      </a>
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link href="/catalog" className="flex items-center gap-2 text-lg font-semibold text-brand-900">
          <span aria-hidden="true" className="inline-block h-6 w-6 rounded-md bg-gradient-to-br from-brand-500 to-brand-900" />
          Tributary
        </Link>
        <nav aria-label="Main" className="flex-1">
          <ul className="flex items-center gap-1">
            {nav.map((item) => (
              <li key={item.href}>
                <NavLink href={item.href}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        {user ? (
          <div className="flex items-center gap-2">
            <InboxLink userId={user.id} />
            <details className="group relative">
              <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 [&::-webkit-details-marker]:hidden">
                <span aria-hidden="true" className="flex h-7 w-7 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-700">
                  {initials(user.name)}
                </span>
                <span className="font-medium">
                  <span className="sr-only">Account: </span>
                  {user.name}
                </span>
                <span aria-hidden="true" className="text-slate-400 group-open:rotate-180">
                  ▾
                </span>
              </summary>
              <div className="absolute right-0 z-40 mt-2 w-64 rounded-lg border border-slate-200 bg-white p-4 shadow-lg">
                <p className="text-sm font-medium text-slate-900">{user.name}</p>
                <p className="truncate text-xs text-slate-500">{user.email}</p>
                <ul className="mt-3 flex flex-wrap gap-1" aria-label="Your roles">
                  {roleLabels(user).map((r) => (
                    <li key={r}>
                      <Badge tone={r === "admin" ? "red" : r === "finance" ? "purple" : r === "owner" ? "amber" : "brand"}>{r}</Badge>
                    </li>
                  ))}
                </ul>
                {user.teams.length > 0 && (
                  <p className="mt-3 text-xs text-slate-500">
                    Teams: {user.teams.map((t) => `${t.name}${t.role === "owner" ? " (owner)" : ""}`).join(", ")}
                  </p>
                )}
                <ul className="mt-3 space-y-1 border-t border-slate-100 pt-3 text-sm">
                  <li>
                    <Link href="/notifications" className="text-brand-700 hover:underline">
                      Notifications
                    </Link>
                  </li>
                  <li>
                    <Link href="/settings/tokens" className="text-brand-700 hover:underline">
                      API tokens
                    </Link>
                  </li>
                  <li>
                    <Link href="/developers/api" className="text-brand-700 hover:underline">
                      API reference
                    </Link>
                  </li>
                </ul>
              </div>
            </details>
            {/* Outside the disclosure so signing out is always one visible click away. */}
            <SignOutButton variant="ghost" size="sm" />
          </div>
        ) : onSignIn ? null : (
          <Link href="/sign-in" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts.length > 1 ? (parts[parts.length - 1][0] ?? "") : "")).toUpperCase();
}
