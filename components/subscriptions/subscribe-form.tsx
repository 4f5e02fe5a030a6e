"use client";

import Link from "next/link";
import { useState, useTransition, type FormEvent } from "react";
import { Alert, Button, Input, Select, Textarea } from "@/components/ui";
import { subscribeAction } from "@/lib/subscriptions/actions";

type Result = Awaited<ReturnType<typeof subscribeAction>>;

export type SubscribePlanOption = { id: string; name: string; approval: "auto" | "manual" };
export type SubscribeTeamOption = { id: string; name: string };

type Props = {
  productId: string;
  productName: string;
  plans: SubscribePlanOption[];
  teams: SubscribeTeamOption[];
  purposes: string[];
  /** The plan whose card holds this form: preselected, the viewer may still switch. */
  initialPlanId: string;
};

/** A purpose slug as a label ("fraud-prevention" -> "Fraud prevention"). */
function purposeLabel(p: string): string {
  const s = p.replace(/[-_]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Opened from a plan card; subscribes at once on auto plans, files an access request on reviewed ones. */
export function SubscribeForm({ productId, productName, plans, teams, purposes, initialPlanId }: Props) {
  const [open, setOpen] = useState(false);
  const [planId, setPlanId] = useState(initialPlanId);
  const [expiry, setExpiry] = useState("");
  const [state, setState] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  // Submitted by hand rather than through <form action>: React resets a form after its action,
  // which would wipe what the user typed when the answer is a field error.
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(async () => setState(await subscribeAction(data)));
  }
  const plan = plans.find((p) => p.id === planId) ?? plans[0];
  const errors = state && !state.ok ? (state.error.fieldErrors ?? {}) : {};
  const formId = `subscribe-${initialPlanId}`;

  if (state?.ok) {
    return state.data.kind === "subscription" ? (
      <Alert tone="success" title="Subscribed">
        Your credentials are being provisioned.{" "}
        <Link href="/subscriptions" className="font-medium underline underline-offset-2">
          Go to My subscriptions
        </Link>
      </Alert>
    ) : (
      <Alert tone="success" title="Request sent to the owners">
        The owners of {productName} review it; you will be notified of their decision.{" "}
        <Link href="/subscriptions" className="font-medium underline underline-offset-2">
          My subscriptions
        </Link>
      </Alert>
    );
  }

  if (!open) {
    return (
      <Button className="w-full" onClick={() => setOpen(true)} aria-controls={formId} aria-expanded={false}>
        {plans.find((p) => p.id === initialPlanId)?.approval === "manual" ? "Request access" : "Subscribe"}
      </Button>
    );
  }

  if (teams.length === 0) {
    return <Alert tone="warning">You are not in a team yet. Ask an administrator to add you to one; subscriptions belong to teams.</Alert>;
  }

  const manual = plan?.approval === "manual";
  return (
    <form id={formId} onSubmit={onSubmit} aria-label={`Subscribe to ${productName}`} className="space-y-3" noValidate>
      <input type="hidden" name="productId" value={productId} />
      {state && !state.ok && !state.error.fieldErrors && <Alert tone="error">{state.error.message}</Alert>}
      {state && !state.ok && state.error.fieldErrors?._form && <Alert tone="error">{state.error.fieldErrors._form.join(" ")}</Alert>}
      <Select label="Plan" id={`${formId}-planId`} name="planId" value={planId} onChange={(e) => setPlanId(e.target.value)} error={errors.planId}>
        {plans.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.approval === "manual" ? " (owner review)" : ""}
          </option>
        ))}
      </Select>
      <Select label="Team" id={`${formId}-teamId`} name="teamId" defaultValue={teams[0]!.id} error={errors.teamId}>
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </Select>
      <Select label="Purpose" id={`${formId}-purpose`} name="purpose" defaultValue="" error={errors.purpose}>
        <option value="" disabled>
          Choose a purpose…
        </option>
        {purposes.map((p) => (
          <option key={p} value={p}>
            {purposeLabel(p)}
          </option>
        ))}
      </Select>
      {manual && (
        <>
          <Textarea
            label="Justification"
            id={`${formId}-justification`} name="justification"
            rows={3}
            hint="The owners read this to decide. Say what you will do with the data."
            error={errors.justification}
          />
          {/* Sent as the plain "YYYY-MM-DD": the server reads it as the end of that day in UTC. */}
          <Input
            label="Access until (optional)"
            id={`${formId}-requestedExpiry`}
            name="requestedExpiry"
            type="date"
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            hint={expiry ? `Access ends at the end of ${expiry} (UTC).` : "Empty: no end date requested."}
            error={errors.requestedExpiry}
          />
        </>
      )}
      <div className="flex gap-2">
        <Button type="submit" loading={pending}>
          {manual ? "Send request" : "Subscribe now"}
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
