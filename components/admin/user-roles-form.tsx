"use client";

import { useState } from "react";
import { Button, Checkbox } from "@/components/ui";
import { setUserRolesAction } from "@/lib/admin/actions";

/** Platform roles of one user, in the users table. Saves only when something changed. */
export function UserRolesForm({ userId, email, roles, self }: { userId: string; email: string; roles: ("finance" | "admin")[]; self: boolean }) {
  const [finance, setFinance] = useState(roles.includes("finance"));
  const [admin, setAdmin] = useState(roles.includes("admin"));
  const [saved, setSaved] = useState({ finance: roles.includes("finance"), admin: roles.includes("admin") });
  const [pending, setPending] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const dirty = finance !== saved.finance || admin !== saved.admin;

  return (
    <form
      aria-label={`Platform roles of ${email}`}
      className="flex flex-wrap items-center gap-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setPending(true);
        const r = await setUserRolesAction({ userId, finance, admin });
        setPending(false);
        if (r.ok) {
          setSaved({ finance, admin });
          setStatus({ ok: true, text: "Saved" });
        } else setStatus({ ok: false, text: r.error.message });
      }}
    >
      <Checkbox id={`finance-${userId}`} name="finance" label="Finance" checked={finance} onChange={(e) => setFinance(e.target.checked)} />
      <Checkbox
        id={`admin-${userId}`}
        name="admin"
        label="Admin"
        checked={admin}
        disabled={self}
        title={self ? "You cannot remove your own admin role." : undefined}
        onChange={(e) => setAdmin(e.target.checked)}
      />
      {dirty && (
        <Button type="submit" size="sm" variant="secondary" loading={pending}>
          Save roles
        </Button>
      )}
      {status && (
        <span role={status.ok ? "status" : "alert"} className={status.ok ? "text-xs text-emerald-700" : "text-xs text-red-700"}>
          {status.text}
        </span>
      )}
    </form>
  );
}
