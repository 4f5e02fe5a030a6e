"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui";
import { isCurrentPath } from "@/lib/auth/navigation";

/**
 * A client leaf because the root layout (and so the header) is not re-rendered on client-side
 * navigation; the pathname hook keeps aria-current right as the user moves around.
 */
export function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const pathname = usePathname() ?? "/";
  const current = isCurrentPath(pathname, href);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={cn(
        "rounded-md px-3 py-2 text-sm font-medium",
        current ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
      )}
    >
      {children}
    </Link>
  );
}
