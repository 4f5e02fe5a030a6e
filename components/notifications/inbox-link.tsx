import Link from "next/link";
import { getDb } from "@/db/client";
import { countUnread } from "@/lib/notifications/queries";

/**
 * The header's inbox link with the unread count, rendered on the server on every request (the
 * count is one indexed query). The accessible name carries the number, the badge is decoration.
 */
export async function InboxLink({ userId }: { userId: string }) {
  const unread = await countUnread(getDb(), userId);
  const label = unread === 0 ? "Notifications, none unread" : `Notifications, ${unread} unread`;
  const shown = unread > 99 ? "99+" : String(unread);
  return (
    <Link
      href="/notifications"
      aria-label={label}
      title={label}
      data-testid="inbox-link"
      className="relative inline-flex h-9 w-9 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="h-5 w-5">
        <path strokeLinecap="round" strokeLinejoin="round" d="M15 17h5l-1.4-1.4A2 2 0 0 1 18 14.2V11a6 6 0 1 0-12 0v3.2a2 2 0 0 1-.6 1.4L4 17h5m6 0v1a3 3 0 1 1-6 0v-1m6 0H9" />
      </svg>
      {unread > 0 && (
        <span aria-hidden="true" className="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-red-600 px-1 text-center text-[11px] font-semibold leading-5 text-white">
          {shown}
        </span>
      )}
    </Link>
  );
}
