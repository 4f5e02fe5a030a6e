import { z } from "zod";

export const SubscribeSchema = z.object({
  productId: z.uuid(),
  planId: z.uuid(),
  teamId: z.uuid(),
  purpose: z.string({ error: "Choose a purpose" }).trim().min(1, "Choose a purpose"),
  /** Required for plans with owner review; ignored for automatic ones. */
  justification: z.string().trim().max(4000).optional(),
  requestedExpiry: z.coerce.date().optional(),
});
export type SubscribeInput = z.infer<typeof SubscribeSchema>;

export const ApproveRequestSchema = z.object({
  requestId: z.uuid(),
  planId: z.uuid().optional(),
  expiresAt: z.coerce.date().optional(),
});
export type ApproveRequestInput = z.infer<typeof ApproveRequestSchema>;

export const DenyRequestSchema = z.object({
  requestId: z.uuid(),
  reason: z.string().trim().min(1, "A reason is required to deny a request").max(2000),
});
export type DenyRequestInput = z.infer<typeof DenyRequestSchema>;

export const BulkApproveSchema = z.object({ requestIds: z.array(z.uuid()).min(1).max(100), expiresAt: z.coerce.date().optional() });
export const BulkDenySchema = z.object({
  requestIds: z.array(z.uuid()).min(1).max(100),
  reason: z.string().trim().min(1, "A reason is required to deny a request").max(2000),
});

export const SubscriptionIdSchema = z.object({ subscriptionId: z.uuid() });
export const EndSubscriptionSchema = z.object({ subscriptionId: z.uuid(), reason: z.string().trim().max(2000).optional() });
