import Link from "next/link";
import { cn } from "@/components/ui";

const items = [
  { href: "/admin/users", label: "Users and invitations" },
  { href: "/admin/teams", label: "Teams and cost centers" },
  { href: "/admin/organizations", label: "Organizations" },
  { href: "/admin/clusters", label: "Kafka clusters" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/settings", label: "Platform settings" },
];

export function AdminNav({ current }: { current: string }) {
  return (
    <nav aria-label="Administration" className="border-b border-slate-200">
      <ul className="-mb-px flex gap-6 overflow-x-auto text-sm">
        {items.map((it) => (
          <li key={it.href}>
            <Link
              href={it.href}
              aria-current={current === it.href ? "page" : undefined}
              className={cn(
                "inline-block whitespace-nowrap border-b-2 px-1 py-3 font-medium",
                current === it.href ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
              )}
            >
              {it.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
