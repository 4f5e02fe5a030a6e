"use server";

import { safeAction } from "@/lib/actions/safe-action";
import { withCredentialDeps } from "@/lib/provisioning/credential-deps";
import { revealCredentials, rotateCredentials } from "@/lib/provisioning/credentials";
import {
  ApproveRequestSchema,
  BulkApproveSchema,
  BulkDenySchema,
  DenyRequestSchema,
  EndSubscriptionSchema,
  SubscribeSchema,
  SubscriptionIdSchema,
} from "./schemas";
import {
  approveAccessRequest,
  bulkApproveAccessRequests,
  bulkDenyAccessRequests,
  cancelSubscription,
  denyAccessRequest,
  retryProvisioning,
  revokeSubscription,
  subscribe,
} from "./service";

/** Thin entry points: the services check ownership and four eyes themselves. */

export const subscribeAction = safeAction({ schema: SubscribeSchema }, (input, { user, db }) => subscribe(db, user, input));

export const approveAccessRequestAction = safeAction({ schema: ApproveRequestSchema, role: "owner" }, (input, { user, db }) =>
  approveAccessRequest(db, user, input),
);

export const denyAccessRequestAction = safeAction({ schema: DenyRequestSchema, role: "owner" }, (input, { user, db }) =>
  denyAccessRequest(db, user, input),
);

export const bulkApproveAccessRequestsAction = safeAction({ schema: BulkApproveSchema, role: "owner" }, (input, { user, db }) =>
  bulkApproveAccessRequests(db, user, input),
);

export const bulkDenyAccessRequestsAction = safeAction({ schema: BulkDenySchema, role: "owner" }, (input, { user, db }) =>
  bulkDenyAccessRequests(db, user, input),
);

export const cancelSubscriptionAction = safeAction({ schema: EndSubscriptionSchema }, (input, { user, db }) =>
  cancelSubscription(db, user, input),
);

export const revokeSubscriptionAction = safeAction({ schema: EndSubscriptionSchema, role: "owner" }, (input, { user, db }) =>
  revokeSubscription(db, user, input),
);

export const retryProvisioningAction = safeAction({ schema: SubscriptionIdSchema }, (input, { user, db }) =>
  retryProvisioning(db, user, input),
);


export const revealCredentialsAction = safeAction({ schema: SubscriptionIdSchema }, (input, { user, db }) =>
  withCredentialDeps((deps) => revealCredentials(db, deps, user, input.subscriptionId)),
);

export const rotateCredentialsAction = safeAction({ schema: SubscriptionIdSchema }, (input, { user, db }) =>
  withCredentialDeps((deps) => rotateCredentials(db, deps, user, input.subscriptionId)),
);
