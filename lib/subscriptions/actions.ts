"use server";

import { safeAction } from "@/lib/actions/safe-action";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { applyConsumerByteRate } from "@/lib/kafka/quota-admin";
import { revealCredentials, rotateCredentials, type CredentialDeps } from "@/lib/provisioning/credentials";
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

/** One short-lived provisioner per reveal: reveals are rare and the user waits for the cluster anyway. */
async function withCredentialDeps<T>(run: (deps: CredentialDeps) => Promise<T>): Promise<T> {
  const connection = kafkaConnectionFromEnv();
  const provisioner = createProvisioner(connection);
  try {
    return await run({
      provisioner,
      bootstrap: connection.brokers,
      ssl: connection.ssl,
      applyQuota: (username, rate) => applyConsumerByteRate(connection, username, rate),
    });
  } finally {
    await provisioner.close();
  }
}

export const revealCredentialsAction = safeAction({ schema: SubscriptionIdSchema }, (input, { user, db }) =>
  withCredentialDeps((deps) => revealCredentials(db, deps, user, input.subscriptionId)),
);

export const rotateCredentialsAction = safeAction({ schema: SubscriptionIdSchema }, (input, { user, db }) =>
  withCredentialDeps((deps) => rotateCredentials(db, deps, user, input.subscriptionId)),
);
