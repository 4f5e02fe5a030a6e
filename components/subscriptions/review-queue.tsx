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
  /** The product's active plans: the owner may grant a different one than requested. */
  plans: { id: string; name: string }[];
};

type Feedback = { tone: "success" | "error"; text: string } | null;

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "");
/** A date input's value as the end of that day, so "until the 31st" includes the 31st. */
const endOfDay = (value: string) => (value ? new Date(`${value}T23:59:59`) : undefined);

function RequestCard({ item, selected, onSelect }: { item: ReviewItem; selected: boolean; onSelect: (on: boolean) => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [mode, setMode] = useState<null | "approve" | "deny">(null);
  const [planId, setPlanId] = useState(item.planId);
  const [expiry, setExpiry] = useState(day(item.requestedExpiry));
  const [reason, setReason] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const id = item.requestId;

  function submit() {
    setError(null);
    setFieldErrors({});
    startTransition(async () => {
      const res =
        mode === "approve"
          ? await approveAccessRequestAction({ requestId: id, planId: planId === item.planId ? undefined : planId, expiresAt: endOfDay(expiry) })
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

              {error && (
                <Alert tone="error" className="mt-3">
                  {error}
                </Alert>
              )}
              {mode === "approve" && (
                <div className="mt-3 grid gap-3 sm:grid-cols-2">
                  <Select id={`plan-${id}`} name="planId" label="Grant plan" value={planId} onChange={(e) => setPlanId(e.target.value)} error={fieldErrors.planId}>
                    {item.plans.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                        {p.id === item.planId ? " (requested)" : ""}
                      </option>
                    ))}
                  </Select>
                  <Input
                    id={`expiry-${id}`}
                    name="expiresAt"
                    type="date"
                    label="Access until (optional)"
                    value={expiry}
                    onChange={(e) => setExpiry(e.target.value)}
                    error={fieldErrors.expiresAt}
                  />
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
                    <Button size="sm" onClick={() => setMode("approve")}>
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
export function ReviewQueue({ items }: { items: ReviewItem[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkReason, setBulkReason] = useState("");
  const [bulkError, setBulkError] = useState<string[] | undefined>();
  const [feedback, setFeedback] = useState<Feedback>(null);
  // Requests decided elsewhere disappear on refresh; a stale selection must not be sent.
  const ids = [...selected].filter((id) => items.some((i) => i.requestId === id));
  const names = new Map(items.map((i) => [i.requestId, `${i.requester.name} / ${i.productName}`]));

  function bulk(kind: "approve" | "deny") {
    setFeedback(null);
    setBulkError(undefined);
    startTransition(async () => {
      const res = kind === "approve" ? await bulkApproveAccessRequestsAction({ requestIds: ids }) : await bulkDenyAccessRequestsAction({ requestIds: ids, reason: bulkReason });
      if (!res.ok) {
        if (res.error.fieldErrors?.reason) setBulkError(res.error.fieldErrors.reason);
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
      <div role="group" aria-label="Bulk decisions" className="flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white p-3">
        <Checkbox
          id="select-all"
          name="selectAll"
          label="Select all"
          checked={ids.length > 0 && ids.length === items.length}
          onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.requestId)) : new Set())}
        />
        <span className="text-sm text-slate-600">{ids.length} selected</span>
        <Button size="sm" disabled={ids.length === 0} loading={pending} onClick={() => bulk("approve")}>
          Approve selected
        </Button>
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
      <ul className="space-y-4" aria-label="Pending requests">
        {items.map((item) => (
          <li key={item.requestId}>
            <RequestCard
              item={item}
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
