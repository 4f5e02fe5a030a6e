"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui";
import { markAllNotificationsReadAction, markNotificationsReadAction } from "@/lib/notifications/actions";

export function MarkReadButton({ id, title }: { id: string; title: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        variant="ghost"
        loading={pending}
        aria-label={`Mark "${title}" as read`}
        onClick={async () => {
          setPending(true);
          const r = await markNotificationsReadAction({ ids: [id] });
          setPending(false);
          if (r.ok) router.refresh();
          else setError(r.error.message);
        }}
      >
        Mark read
      </Button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

export function MarkAllReadButton({ unread }: { unread: number }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        variant="secondary"
        loading={pending}
        disabled={unread === 0}
        onClick={async () => {
          setPending(true);
          const r = await markAllNotificationsReadAction({});
          setPending(false);
          setStatus(r.ok ? `Marked ${r.data.changed} as read.` : r.error.message);
          router.refresh();
        }}
      >
        Mark all as read
      </Button>
      <span role="status" className="text-xs text-slate-600">
        {status}
      </span>
    </span>
  );
}
