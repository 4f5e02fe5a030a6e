import { z } from "zod";
import { AppError } from "@/lib/errors";
import { withCredentialDeps } from "@/lib/provisioning/credential-deps";
import { rotateCredentials } from "@/lib/provisioning/credentials";
import { listTeamSubscriptions } from "@/lib/subscriptions/queries";
import { ApproveRequestSchema, DenyRequestSchema, SubscribeSchema } from "@/lib/subscriptions/schemas";
import { approveAccessRequest, denyAccessRequest, listReviewQueue, subscribe } from "@/lib/subscriptions/service";
import { defineEndpoint } from "../endpoint";

const Id = z.object({ id: z.uuid("Not an id") });

const SubscriptionOut = z.object({
  id: z.string(),
  product: z.object({ slug: z.string(), name: z.string() }),
  plan: z.string(),
  tier: z.string(),
  teamId: z.string(),
  state: z.string(),
  stateReason: z.string().nullable(),
  purpose: z.string(),
  deliveryTopic: z.string().nullable(),
  groupPrefix: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});

export const listSubscriptionsEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/subscriptions",
    operationId: "listSubscriptions",
    summary: "List your teams' subscriptions",
    tag: "Subscriptions",
    scope: "subscriptions:read",
    query: z.object({ teamId: z.uuid().optional() }),
    response: z.object({ items: z.array(SubscriptionOut) }),
  },
  async ({ db, user, query }) => {
    const teamIds = user.teams.map((t) => t.id);
    if (query.teamId && !teamIds.includes(query.teamId)) throw new AppError("forbidden", "You are not a member of that team.");
    const rows = await listTeamSubscriptions(db, query.teamId ? [query.teamId] : teamIds);
    return {
      items: rows.map((r) => ({
        id: r.subscription.id,
        product: { slug: r.productSlug, name: r.productName },
        plan: r.planName,
        tier: r.tierName,
        teamId: r.subscription.teamId,
        state: r.subscription.state,
        stateReason: r.subscription.stateReason,
        purpose: r.subscription.purpose,
        deliveryTopic: r.subscription.deliveryTopic,
        groupPrefix: r.subscription.groupPrefix,
        expiresAt: r.subscription.expiresAt?.toISOString() ?? null,
        createdAt: r.subscription.createdAt.toISOString(),
      })),
    };
  },
);

export const subscribeEndpoint = defineEndpoint(
  {
    method: "POST",
    path: "/subscriptions",
    operationId: "subscribe",
    summary: "Subscribe or request access",
    description:
      "A plan with automatic approval creates the subscription at once (the provisioner then issues its credential); a plan with owner review files an access request. Same rules as the product page.",
    tag: "Subscriptions",
    scope: "subscriptions:write",
    body: SubscribeSchema,
    status: 201,
    response: z.object({ kind: z.enum(["subscription", "access_request"]), subscriptionId: z.string().optional(), requestId: z.string().optional() }),
  },
  async ({ db, user, body }) => subscribe(db, user, body),
);


export const rotateCredentialsEndpoint = defineEndpoint(
  {
    method: "POST",
    path: "/subscriptions/{id}/credentials/rotate",
    operationId: "rotateCredentials",
    summary: "Rotate a subscription's credential",
    description:
      "Issues a new SCRAM-SHA-512 credential and returns its password once (it is not stored by Tributary). The previous credential keeps working for a grace period.",
    tag: "Subscriptions",
    scope: "credentials:write",
    params: Id,
    response: z.object({
      subscriptionId: z.string(),
      username: z.string(),
      password: z.string(),
      mechanism: z.literal("SCRAM-SHA-512"),
      bootstrap: z.array(z.string()),
      topic: z.string(),
      groupPrefix: z.string(),
      previousRetiresAt: z.string().nullable(),
    }),
  },
  async ({ db, user, params, deps }) => {
    const withDeps = deps.credentialDeps ?? withCredentialDeps;
    const c = await withDeps((d) => rotateCredentials(db, d, user, params.id));
    return {
      subscriptionId: c.subscriptionId,
      username: c.username,
      password: c.password,
      mechanism: c.mechanism,
      bootstrap: c.bootstrap,
      topic: c.topic,
      groupPrefix: c.groupPrefix,
      previousRetiresAt: c.previousRetiresAt?.toISOString() ?? null,
    };
  },
);

const RequestOut = z.object({
  id: z.string(),
  createdAt: z.string(),
  product: z.object({ slug: z.string(), name: z.string() }),
  plan: z.string(),
  tier: z.string(),
  requester: z.object({ name: z.string(), email: z.string() }),
  team: z.string(),
  org: z.object({ name: z.string(), kind: z.enum(["internal", "external"]) }),
  purpose: z.string(),
  justification: z.string(),
  requestedExpiry: z.string().nullable(),
});

export const listAccessRequestsEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/access-requests",
    operationId: "listAccessRequests",
    summary: "List access requests waiting for your review",
    tag: "Access requests",
    scope: "requests:read",
    response: z.object({ items: z.array(RequestOut) }),
  },
  async ({ db, user }) => {
    const items = await listReviewQueue(db, user);
    return {
      items: items.map((r) => ({
        id: r.requestId,
        createdAt: r.createdAt.toISOString(),
        product: { slug: r.productSlug, name: r.productName },
        plan: r.planName,
        tier: r.tierName,
        requester: { name: r.requester.name, email: r.requester.email },
        team: r.team.name,
        org: r.org,
        purpose: r.purpose,
        justification: r.justification,
        requestedExpiry: r.requestedExpiry?.toISOString() ?? null,
      })),
    };
  },
);

export const approveAccessRequestEndpoint = defineEndpoint(
  {
    method: "POST",
    path: "/access-requests/{id}/approve",
    operationId: "approveAccessRequest",
    summary: "Approve an access request",
    description: "Optionally grant another plan of the same product or set an expiry. Four eyes: never a request of your own team.",
    tag: "Access requests",
    scope: "requests:write",
    params: Id,
    body: ApproveRequestSchema.omit({ requestId: true }),
    response: z.object({ requestId: z.string(), subscriptionId: z.string() }),
  },
  async ({ db, user, params, body }) => {
    return approveAccessRequest(db, user, { ...body, requestId: params.id });
  },
);

export const denyAccessRequestEndpoint = defineEndpoint(
  {
    method: "POST",
    path: "/access-requests/{id}/deny",
    operationId: "denyAccessRequest",
    summary: "Deny an access request",
    tag: "Access requests",
    scope: "requests:write",
    params: Id,
    body: DenyRequestSchema.omit({ requestId: true }),
    response: z.object({ requestId: z.string() }),
  },
  async ({ db, user, params, body }) => denyAccessRequest(db, user, { ...body, requestId: params.id }),
);
