"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert, Badge, Button, Card, CardBody, Checkbox, EmptyState, Input, Select, Textarea } from "@/components/ui";
import {
  approveAccessRequestAction,
  bulkApproveAccessRequestsAction,
  bulkDenyAccessRequestsAction,
  denyAccessRequestAction,
} from "@/lib/subscriptions/actions";

export type ReviewItem = {
  requestId: string;
  createdAt: string;
  productName: string;
  productSlug: string;
  planId: string;
  planName: string;
  tierName: string;
  requester: { name: string; email: string };
  team: { name: string };
  org: { name: string; kind: "internal" | "external" };
  purpose: string;
  justification: string;
  requestedExpiry: string | null;
  /** The product's active plans with their tier: granting another plan is how the tier changes. */
  plans: { id: string; name: string; tierName: string; externalAllowed: boolean }[];
  /** Why this owner may not approve (four eyes), or null. They may still deny. */
  approvalBlocked: string | null;
};

type Feedback = { tone: "success" | "error"; text: string } | null;

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "");

/**
 * A date input's value goes to the server as the plain "YYYY-MM-DD" it is: the server reads it
 * as the end of that day in UTC, the same for the requester's date and the approver's, whatever
 * the browser's time zone. The hint says so.
 */
function ExpiryHint({ value, empty }: { value: string; empty: string }) {
  return <>{value ? `Access ends at the end of ${value} (UTC).` : empty}</>;
}

function RequestCard({ item, today, selected, onSelect }: { item: ReviewItem; today: string; selected: boolean; onSelect: (on: boolean) => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [mode, setMode] = useState<null | "approve" | "deny">(null);
  const [planId, setPlanId] = useState(item.planId);
  const [expiry, setExpiry] = useState(day(item.requestedExpiry));
  const [reason, setReason] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const id = item.requestId;
  const granted = item.plans.find((p) => p.id === planId);
  const emptyExpiry = item.requestedExpiry
    ? `Empty keeps the requested end, ${day(item.requestedExpiry)}.`
    : item.org.kind === "external"
      ? "Empty: the platform's default period for external organizations applies."
      : "Empty: no end date.";

  function submit() {
    setError(null);
    setFieldErrors({});
    startTransition(async () => {
      const res =
        mode === "approve"
          ? await approveAccessRequestAction({ requestId: id, planId: planId === item.planId ? undefined : planId, expiresAt: expiry || undefined })
          : await denyAccessRequestAction({ requestId: id, reason });
      if (!res.ok) {
        if (res.error.fieldErrors) setFieldErrors(res.error.fieldErrors);
        if (!res.error.fieldErrors || res.error.fieldErrors._form) setError(res.error.message);
        return;
      }
      router.refresh();
    });
  }

  return (
    <Card>
      <CardBody>
        <article aria-label={`Request from ${item.requester.name} for ${item.productName}`}>
          <div className="flex items-start gap-3">
            <Checkbox
              id={`select-${id}`}
              name="selected"
              label={<span className="sr-only">Select request from {item.requester.name} for {item.productName}</span>}
              checked={selected}
              onChange={(e) => onSelect(e.target.checked)}
            />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <h2 className="font-semibold text-slate-900">
                  <a href={`/products/${item.productSlug}`} className="hover:underline">
                    {item.productName}
                  </a>
                </h2>
                <Badge>{item.planName} plan</Badge>
                <Badge tone="brand">{item.tierName} tier</Badge>
                <Badge tone={item.org.kind === "external" ? "orange" : "neutral"}>{item.org.kind === "external" ? "External" : "Internal"}</Badge>
              </div>
              <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
                <div>
                  <dt className="inline text-slate-500">Requester: </dt>
                  <dd className="inline">
                    {item.requester.name} ({item.requester.email})
                  </dd>
                </div>
                <div>
                  <dt className="inline text-slate-500">Team: </dt>
                  <dd className="inline">
                    {item.team.name}, {item.org.name}
                  </dd>
                </div>
                <div>
                  <dt className="inline text-slate-500">Purpose: </dt>
                  <dd className="inline">{item.purpose}</dd>
                </div>
                <div>
                  <dt className="inline text-slate-500">Requested until: </dt>
                  <dd className="inline">{item.requestedExpiry ? day(item.requestedExpiry) : "No end date"}</dd>
                </div>
                <div>
                  <dt className="inline text-slate-500">Filed: </dt>
                  <dd className="inline">{day(item.createdAt)}</dd>
                </div>
              </dl>
              <blockquote className="mt-2 whitespace-pre-wrap border-l-2 border-slate-200 pl-3 text-sm text-slate-700">{item.justification}</blockquote>

              {item.approvalBlocked && (
                <p id={`blocked-${id}`} className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                  {item.approvalBlocked}
                </p>
              )}
              {error && (
                <Alert tone="error" className="mt-3">
                  {error}
                </Alert>
              )}
              {mode === "approve" && (
                <div className="mt-3 space-y-3">
                  <div className="grid gap-3 sm:grid-cols-2">
                    <Select
                      id={`plan-${id}`}
                      name="planId"
                      label="Grant plan"
                      value={planId}
                      onChange={(e) => setPlanId(e.target.value)}
                      error={fieldErrors.planId}
                      hint={granted ? `Grants the ${granted.tierName} tier.` : undefined}
                    >
                      {item.plans.map((p) => {
                        const closed = item.org.kind === "external" && !p.externalAllowed;
                        return (
                          <option key={p.id} value={p.id} disabled={closed}>
                            {p.name} — {p.tierName} tier
                            {p.id === item.planId ? " (requested)" : closed ? " (internal teams only)" : ""}
                          </option>
                        );
                      })}
                    </Select>
                    <Input
                      id={`expiry-${id}`}
                      name="expiresAt"
                      type="date"
                      label="Access until (optional)"
                      min={today}
                      value={expiry}
                      onChange={(e) => setExpiry(e.target.value)}
                      hint={<ExpiryHint value={expiry} empty={emptyExpiry} />}
                      error={fieldErrors.expiresAt}
                    />
                  </div>
                  {granted && granted.tierName !== item.tierName && (
                    <Alert tone="warning">
                      Tier change: the request is for the {item.tierName} tier; approving grants the {granted.tierName} tier.
                    </Alert>
                  )}
                </div>
              )}
              {mode === "deny" && (
                <div className="mt-3">
                  <Textarea
                    id={`reason-${id}`}
                    name="reason"
                    label="Reason for denying"
                    rows={2}
                    hint="The requester sees this."
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    error={fieldErrors.reason}
                  />
                </div>
              )}
              <div className="mt-3 flex flex-wrap gap-2">
                {mode === null ? (
                  <>
                    <Button
                      size="sm"
                      disabled={item.approvalBlocked !== null}
                      aria-describedby={item.approvalBlocked ? `blocked-${id}` : undefined}
                      onClick={() => setMode("approve")}
                    >
                      Approve…
                    </Button>
                    <Button size="sm" variant="secondary" onClick={() => setMode("deny")}>
                      Deny…
                    </Button>
                  </>
                ) : (
                  <>
                    <Button size="sm" variant={mode === "deny" ? "danger" : "primary"} loading={pending} onClick={submit}>
                      {mode === "approve" ? "Confirm approval" : "Confirm denial"}
                    </Button>
                    <Button size="sm" variant="ghost" disabled={pending} onClick={() => setMode(null)}>
                      Back
                    </Button>
                  </>
                )}
              </div>
            </div>
          </div>
        </article>
      </CardBody>
    </Card>
  );
}

/** The owner's pending requests with per-request and bulk decisions. */
export function ReviewQueue({ items, today }: { items: ReviewItem[]; today: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkReason, setBulkReason] = useState("");
  const [bulkExpiry, setBulkExpiry] = useState("");
  const [bulkExpiryError, setBulkExpiryError] = useState<string[] | undefined>();
  const [bulkError, setBulkError] = useState<string[] | undefined>();
  const [feedback, setFeedback] = useState<Feedback>(null);
  // Requests decided elsewhere disappear on refresh; a stale selection must not be sent.
  const ids = [...selected].filter((id) => items.some((i) => i.requestId === id));
  const names = new Map(items.map((i) => [i.requestId, `${i.requester.name} / ${i.productName}`]));
  // Four eyes in bulk: the server refuses those one by one; say so before the click, and refuse
  // the click when nothing selected could be approved.
  const blocked = ids.filter((id) => items.find((i) => i.requestId === id)?.approvalBlocked).length;

  function bulk(kind: "approve" | "deny") {
    setFeedback(null);
    setBulkError(undefined);
    setBulkExpiryError(undefined);
    startTransition(async () => {
      const res =
        kind === "approve"
          ? await bulkApproveAccessRequestsAction({ requestIds: ids, expiresAt: bulkExpiry || undefined })
          : await bulkDenyAccessRequestsAction({ requestIds: ids, reason: bulkReason });
      if (!res.ok) {
        if (res.error.fieldErrors?.reason) setBulkError(res.error.fieldErrors.reason);
        else if (res.error.fieldErrors?.expiresAt) setBulkExpiryError(res.error.fieldErrors.expiresAt);
        else setFeedback({ tone: "error", text: res.error.message });
        return;
      }
      const failed = res.data.filter((o) => !o.ok);
      const done = res.data.length - failed.length;
      setFeedback(
        failed.length
          ? {
              tone: "error",
              text: `${done} ${kind === "approve" ? "approved" : "denied"}; ${failed.length} not: ${failed
                .map((o) => `${names.get(o.requestId) ?? o.requestId}: ${o.ok ? "" : o.message}`)
                .join(" ")}`,
            }
          : { tone: "success", text: `${done} request${done === 1 ? "" : "s"} ${kind === "approve" ? "approved" : "denied"}.` },
      );
      setSelected(new Set());
      setBulkReason("");
      setBulkExpiry("");
      router.refresh();
    });
  }

  // Rendered even when empty: the outcome of the last bulk decision must outlive the refresh that empties the list.
  if (items.length === 0) {
    return (
      <div className="mt-6 space-y-4">
        {feedback && <Alert tone={feedback.tone}>{feedback.text}</Alert>}
        <EmptyState title="No pending requests">When someone asks for a plan that needs review, it appears here and you get a notification.</EmptyState>
      </div>
    );
  }

  return (
    <div className="mt-6 space-y-4">
      {feedback && <Alert tone={feedback.tone}>{feedback.text}</Alert>}
      <div role="group" aria-label="Bulk decisions" className="space-y-3 rounded-md border border-slate-200 bg-white p-3">
        <div className="flex flex-wrap items-center gap-3">
          <Checkbox
            id="select-all"
            name="selectAll"
            label="Select all"
            checked={ids.length > 0 && ids.length === items.length}
            onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.requestId)) : new Set())}
          />
          <span className="text-sm text-slate-600">{ids.length} selected</span>
        </div>
        <div className="flex flex-wrap items-start gap-3">
          <Input
            id="bulk-expiry"
            name="expiresAt"
            type="date"
            label="Access until (optional)"
            wrapperClassName="w-64"
            min={today}
            value={bulkExpiry}
            onChange={(e) => setBulkExpiry(e.target.value)}
            hint={<ExpiryHint value={bulkExpiry} empty="Empty: each request keeps its requested end." />}
            error={bulkExpiryError}
          />
          <Button
            size="sm"
            // Level with the date input under its label (the hint below it would push an end-aligned button down).
            className="mt-7"
            disabled={ids.length === 0 || blocked === ids.length}
            aria-describedby={blocked ? "bulk-blocked" : undefined}
            loading={pending}
            onClick={() => bulk("approve")}
          >
            Approve selected
          </Button>
        </div>
        {blocked > 0 && (
          <p id="bulk-blocked" className="text-sm text-amber-900">
            {blocked === ids.length ? "You cannot approve the selected requests" : `${blocked} of the selected cannot be approved by you and will be skipped`}:
            four eyes, they come from your own team.
          </p>
        )}
        <div className="flex flex-wrap items-end gap-3">
          <Input
            id="bulk-reason"
            name="reason"
            label="Reason (for denying)"
            wrapperClassName="min-w-64 flex-1"
            value={bulkReason}
            onChange={(e) => setBulkReason(e.target.value)}
            error={bulkError}
          />
          <Button size="sm" variant="danger" disabled={ids.length === 0} loading={pending} onClick={() => bulk("deny")}>
            Deny selected
          </Button>
        </div>
      </div>
      <ul className="space-y-4" aria-label="Pending requests">
        {items.map((item) => (
          <li key={item.requestId}>
            <RequestCard
              item={item}
              today={today}
              selected={selected.has(item.requestId)}
              onSelect={(on) =>
                setSelected((prev) => {
                  const next = new Set(prev);
                  if (on) next.add(item.requestId);
                  else next.delete(item.requestId);
                  return next;
                })
              }
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
