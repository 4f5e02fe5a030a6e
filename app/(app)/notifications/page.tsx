import type { Metadata } from "next";
import Link from "next/link";
import { MarkAllReadButton, MarkReadButton } from "@/components/notifications/inbox-actions";
import { Alert, Badge, EmptyState, Pagination, cn, type SearchParamsRecord } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { listInbox } from "@/lib/notifications/queries";

export const metadata: Metadata = { title: "Notifications" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

const kindLabels: Record<string, string> = {
  access_request: "Access request",
  subscription: "Subscription",
  credentials: "Credentials",
  contract: "Contract",
  product: "Product",
  payment: "Payment",
  billing: "Billing",
};

function kindLabel(kind: string): string {
  return kindLabels[kind.split(".")[0]] ?? kind.split(".")[0].replace(/_/g, " ");
}

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const user = await requireUser();
  const sp = await searchParams;
  const page = Number(Array.isArray(sp.page) ? sp.page[0] : sp.page) || 1;
  const unreadOnly = sp.show === "unread";
  const inbox = await listInbox(getDb(), user.id, { page, unreadOnly });

  return (
    <main className="mx-auto max-w-3xl space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Notifications</h1>
          <p className="mt-1 text-sm text-slate-600">
            {inbox.unread === 0 ? "You are all caught up." : `${inbox.unread} unread.`} Requests to review, decisions, expiring credentials, contract changes and
            payments.
          </p>
        </div>
        <MarkAllReadButton unread={inbox.unread} />
      </div>

      {sp.missing && <Alert tone="warning">That notification is not in your inbox.</Alert>}

      <nav aria-label="Filter notifications" className="flex gap-2 text-sm">
        {[
          { href: "/notifications", label: "All", current: !unreadOnly },
          { href: "/notifications?show=unread", label: "Unread", current: unreadOnly },
        ].map((f) => (
          <Link
            key={f.label}
            href={f.href}
            aria-current={f.current ? "page" : undefined}
            className={cn("rounded-full px-3 py-1", f.current ? "bg-brand-600 font-medium text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50")}
          >
            {f.label}
          </Link>
        ))}
      </nav>

      {inbox.items.length === 0 ? (
        <EmptyState title={unreadOnly ? "No unread notifications" : "No notifications yet"}>
          {unreadOnly ? "Everything here has been read." : "When someone asks for access to your products, decides on your request or something needs your attention, it shows up here."}
        </EmptyState>
      ) : (
        <ul aria-label="Notifications" className="divide-y divide-slate-100 overflow-hidden rounded-lg border border-slate-200 bg-white">
          {inbox.items.map((n) => {
            const unread = n.readAt === null;
            return (
              <li key={n.id} aria-label={`${unread ? "Unread: " : ""}${n.title}`} className={cn("flex gap-4 px-5 py-4", unread ? "bg-brand-50/50" : undefined)}>
                <span aria-hidden="true" className={cn("mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full", unread ? "bg-brand-600" : "bg-transparent")} />
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
                    <Badge tone={n.kind.startsWith("payment") ? "red" : n.kind.startsWith("access_request") ? "amber" : "neutral"}>{kindLabel(n.kind)}</Badge>
                    <time dateTime={n.createdAt.toISOString()}>{dateFmt.format(n.createdAt)} UTC</time>
                    {unread && <span className="sr-only">unread</span>}
                  </div>
                  <p className={cn("mt-1 text-sm text-slate-900", unread ? "font-semibold" : "font-medium")}>
                    {n.link ? (
                      <a href={`/api/notifications/${n.id}/open`} className="hover:text-brand-700 hover:underline">
                        {n.title}
                      </a>
                    ) : (
                      n.title
                    )}
                  </p>
                  {n.body && <p className="mt-1 text-sm text-slate-600">{n.body}</p>}
                </div>
                <div className="flex shrink-0 items-start gap-2">
                  {n.link && (
                    <a
                      href={`/api/notifications/${n.id}/open`}
                      className="inline-flex h-8 items-center rounded-md bg-brand-600 px-3 text-sm font-medium text-white hover:bg-brand-700"
                      aria-label={`Open: ${n.title}`}
                    >
                      Open
                    </a>
                  )}
                  {unread && <MarkReadButton id={n.id} title={n.title} />}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <Pagination pathname="/notifications" searchParams={sp} page={inbox.page} pageCount={inbox.pageCount} />
    </main>
  );
}
