import { z } from "zod";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The expiry rule, the same for a requester's requested expiry and an approver's expiry: a
 * calendar date "YYYY-MM-DD" (what a date input posts) means access through the END of that day
 * in UTC, i.e. until YYYY-MM-DDT23:59:59.999Z, so today's date is accepted and ends tonight at
 * midnight UTC. A full timestamp (the token API may send one) is taken as the instant it names.
 * The services refuse an expiry that is not in the future.
 */
export function endOfUtcDay(date: string): Date {
  return new Date(`${date}T23:59:59.999Z`);
}

const expiryDate = z.preprocess((v) => {
  if (typeof v !== "string") return v;
  const text = v.trim();
  if (text === "") return undefined;
  return DATE_ONLY.test(text) ? endOfUtcDay(text) : text;
}, z.coerce.date({ error: "Enter a valid date." }).optional()).meta({
  description: "YYYY-MM-DD: access through the end of that day, UTC. Or an ISO 8601 timestamp.",
  examples: ["2031-03-09"],
});

export const SubscribeSchema = z.object({
  productId: z.uuid(),
  planId: z.uuid(),
  teamId: z.uuid(),
  purpose: z.string({ error: "Choose a purpose" }).trim().min(1, "Choose a purpose"),
  /** Required for plans with owner review; ignored for automatic ones. */
  justification: z.string().trim().max(4000).optional(),
  /** End of that day in UTC for "YYYY-MM-DD" (see endOfUtcDay). */
  requestedExpiry: expiryDate,
});
export type SubscribeInput = z.infer<typeof SubscribeSchema>;

export const ApproveRequestSchema = z.object({
  requestId: z.uuid(),
  planId: z.uuid().optional(),
  /** End of that day in UTC for "YYYY-MM-DD" (see endOfUtcDay). */
  expiresAt: expiryDate,
});
export type ApproveRequestInput = z.infer<typeof ApproveRequestSchema>;

export const DenyRequestSchema = z.object({
  requestId: z.uuid(),
  reason: z.string().trim().min(1, "A reason is required to deny a request").max(2000),
});
export type DenyRequestInput = z.infer<typeof DenyRequestSchema>;

export const BulkApproveSchema = z.object({ requestIds: z.array(z.uuid()).min(1).max(100), expiresAt: expiryDate });
export const BulkDenySchema = z.object({
  requestIds: z.array(z.uuid()).min(1).max(100),
  reason: z.string().trim().min(1, "A reason is required to deny a request").max(2000),
});

export const SubscriptionIdSchema = z.object({ subscriptionId: z.uuid() });
export const EndSubscriptionSchema = z.object({ subscriptionId: z.uuid(), reason: z.string().trim().max(2000).optional() });
