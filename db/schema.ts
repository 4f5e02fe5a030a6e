/**
 * The data model for the whole product (not only the catalog): every later feature stores its
 * state here. Conventions:
 * - ids are uuids (bigserial for append-heavy logs and jobs);
 * - money is integer minor units (bigint) plus an ISO currency;
 * - state machines are Postgres enums so an invalid state cannot be written;
 * - nothing secret is stored in clear: password hashes, token hashes, SCRAM material lives
 *   only on the Kafka side, cluster admin secrets encrypted with ENCRYPTION_KEY.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({
  dataType() {
    return "tsvector";
  },
});

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------
export const orgKind = pgEnum("org_kind", ["internal", "external"]);
/** Platform-wide roles. Everyone signed in is a consumer; "owner" comes from team membership. */
export const globalRole = pgEnum("global_role", ["finance", "admin"]);
export const teamRole = pgEnum("team_role", ["member", "owner"]);
export const productStatus = pgEnum("product_status", ["draft", "published", "deprecated", "retired"]);
export const classification = pgEnum("classification", ["public", "internal", "confidential", "restricted"]);
export const compatibilityMode = pgEnum("compatibility_mode", ["none", "backward", "forward", "full"]);
export const schemaFormat = pgEnum("schema_format", ["json-schema", "avro"]);
export const contractStatus = pgEnum("contract_status", ["draft", "published", "deprecated", "retired"]);
export const approvalMode = pgEnum("approval_mode", ["auto", "manual"]);
export const priceModel = pgEnum("price_model", ["free", "per_gb", "per_million_messages", "flat_monthly"]);
export const accessRequestStatus = pgEnum("access_request_status", ["pending", "approved", "denied", "cancelled"]);
export const subscriptionState = pgEnum("subscription_state", [
  "requested",
  "provisioning",
  "active",
  "suspended",
  "revoked",
  "expired",
  "failed",
]);
export const saslMechanism = pgEnum("sasl_mechanism", ["none", "plain", "scram-sha-256", "scram-sha-512"]);
export const jobStatus = pgEnum("job_status", ["queued", "running", "done", "failed"]);
export const periodStatus = pgEnum("period_status", ["open", "closed"]);
export const chargeKind = pgEnum("charge_kind", ["usage", "flat", "adjustment"]);
export const auditResult = pgEnum("audit_result", ["success", "denied", "failure"]);
export const actorType = pgEnum("actor_type", ["user", "system", "token", "anonymous"]);

// ---------------------------------------------------------------------------------------------
// Organizations, teams, people
// ---------------------------------------------------------------------------------------------
export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  kind: orgKind("kind").notNull(),
  billingEmail: text("billing_email"),
  stripeCustomerId: text("stripe_customer_id").unique(),
  /** Set by Stripe's invoice.payment_failed; paid subscriptions are suspended after a grace period. */
  paymentFailedAt: ts("payment_failed_at"),
  createdAt: createdAt(),
});

export const costCenters = pgTable("cost_centers", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organizations.id),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const teams = pgTable(
  "teams",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull().references(() => organizations.id),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    costCenterId: uuid("cost_center_id").references(() => costCenters.id),
    contactEmail: text("contact_email"),
    createdAt: createdAt(),
  },
  (t) => [index("teams_org_idx").on(t.orgId)],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; the unique index enforces one account per address. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** scrypt hash in PHC-like format; null for SSO-only accounts. */
    passwordHash: text("password_hash"),
    orgId: uuid("org_id").notNull().references(() => organizations.id),
    roles: globalRole("roles").array().notNull().default(sql`'{}'::global_role[]`),
    disabled: boolean("disabled").notNull().default(false),
    oidcSubject: text("oidc_subject").unique(),
    lastSignInAt: ts("last_sign_in_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_idx").on(t.email)],
);

export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    role: teamRole("role").notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.teamId] }), index("memberships_team_idx").on(t.teamId)],
);

export const invitations = pgTable("invitations", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull(),
  orgId: uuid("org_id").notNull().references(() => organizations.id),
  teamId: uuid("team_id").references(() => teams.id),
  teamRole: teamRole("team_role").notNull().default("member"),
  roles: globalRole("roles").array().notNull().default(sql`'{}'::global_role[]`),
  /** sha256 of the token in the link; the token itself is shown once to the inviting admin. */
  tokenHash: text("token_hash").notNull().unique(),
  invitedBy: uuid("invited_by").references(() => users.id),
  expiresAt: ts("expires_at").notNull(),
  acceptedAt: ts("accepted_at"),
  revokedAt: ts("revoked_at"),
  createdAt: createdAt(),
});

/** Failed sign-in counters for rate limiting (per email and per client address). */
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStart: ts("window_start").notNull().defaultNow(),
  lockedUntil: ts("locked_until"),
});

export const platformSettings = pgTable("platform_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

// ---------------------------------------------------------------------------------------------
// Kafka clusters and data products
// ---------------------------------------------------------------------------------------------
export const clusters = pgTable("clusters", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  bootstrapServers: text("bootstrap_servers").notNull(),
  saslMechanism: saslMechanism("sasl_mechanism").notNull().default("none"),
  adminUsername: text("admin_username"),
  /** AES-GCM ciphertext (key from ENCRYPTION_KEY), never the clear secret. */
  adminSecretEnc: text("admin_secret_enc"),
  /** Connect with TLS (SASL_SSL / SSL listeners); the server's certificate is always verified. */
  tls: boolean("tls").notNull().default(false),
  /** PEM of a private CA to trust besides the system's; public, so stored in clear. */
  tlsCaCert: text("tls_ca_cert"),
  /** The embedded broker started by the launcher; its address comes from env at run time. */
  embedded: boolean("embedded").notNull().default(false),
  createdAt: createdAt(),
});

export const dataProducts = pgTable(
  "data_products",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    summary: text("summary").notNull().default(""),
    /** Markdown. */
    description: text("description").notNull().default(""),
    domain: text("domain").notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    ownerTeamId: uuid("owner_team_id")
      .notNull()
      .references(() => teams.id),
    clusterId: uuid("cluster_id").references(() => clusters.id),
    sourceTopic: text("source_topic"),
    status: productStatus("status").notNull().default("draft"),
    classification: classification("classification").notNull().default("internal"),
    compatibility: compatibilityMode("compatibility").notNull().default("backward"),
    contactEmail: text("contact_email"),
    /** Field paths of the current contract, kept here so search can match them. */
    fieldNames: text("field_names").array().notNull().default(sql`'{}'::text[]`),
    /** Maintained by a trigger (see the catalog search migration), never written by the app. */
    searchVector: tsvector("search_vector"),
    /** Per-product HMAC key id for hash/tokenize masking; the key itself derives from a secret. */
    maskingKeyVersion: integer("masking_key_version").notNull().default(1),
    sunsetAt: ts("sunset_at"),
    publishedAt: ts("published_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("data_products_owner_idx").on(t.ownerTeamId),
    index("data_products_status_idx").on(t.status),
    index("data_products_domain_idx").on(t.domain),
  ],
);

/**
 * One row per contract version. `fields` is the flattened field list with docs and PII tags:
 * [{ path: "subscriber.msisdn", type: "string", required: true, description, pii }].
 */
export const contractVersions = pgTable(
  "contract_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    major: integer("major").notNull(),
    minor: integer("minor").notNull(),
    patch: integer("patch").notNull(),
    status: contractStatus("status").notNull().default("draft"),
    schemaFormat: schemaFormat("schema_format").notNull().default("json-schema"),
    schema: jsonb("schema").notNull(),
    fields: jsonb("fields").notNull().default(sql`'[]'::jsonb`),
    freshnessSlaSeconds: integer("freshness_sla_seconds"),
    availabilityTarget: text("availability_target"),
    retentionHours: integer("retention_hours"),
    purposes: text("purposes").array().notNull().default(sql`'{}'::text[]`),
    prohibitedUses: text("prohibited_uses").array().notNull().default(sql`'{}'::text[]`),
    /** [{ id, kind: required|range|pattern|enum|max_age|expression, field, params }] */
    qualityRules: jsonb("quality_rules").notNull().default(sql`'[]'::jsonb`),
    supportContact: text("support_contact"),
    changelog: text("changelog"),
    publishedAt: ts("published_at"),
    sunsetAt: ts("sunset_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("contract_versions_product_version_idx").on(t.productId, t.version)],
);

/** rules: { [fieldPath]: { strategy: keep|drop|redact|hash|partial|generalize|tokenize, ...params } } */
export const maskingTiers = pgTable(
  "masking_tiers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    fullAccess: boolean("full_access").notNull().default(false),
    rules: jsonb("rules").notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("masking_tiers_product_name_idx").on(t.productId, t.name)],
);

export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id, { onDelete: "cascade" }),
    tierId: uuid("tier_id")
      .notNull()
      .references(() => maskingTiers.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    approval: approvalMode("approval").notNull().default("auto"),
    priceModel: priceModel("price_model").notNull().default("free"),
    /** Price per unit of the model (per GB, per million messages, per month) in minor units. */
    priceMinor: bigint("price_minor", { mode: "number" }).notNull().default(0),
    currency: text("currency").notNull().default("EUR"),
    monthlyCapMinor: bigint("monthly_cap_minor", { mode: "number" }),
    externalAllowed: boolean("external_allowed").notNull().default(false),
    quotaBytesPerSec: integer("quota_bytes_per_sec"),
    active: boolean("active").notNull().default(true),
    stripePriceId: text("stripe_price_id"),
    createdAt: createdAt(),
  },
  (t) => [index("plans_product_idx").on(t.productId)],
);

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------
export const accessRequests = pgTable(
  "access_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id),
    requesterId: uuid("requester_id")
      .notNull()
      .references(() => users.id),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    purpose: text("purpose").notNull(),
    justification: text("justification").notNull().default(""),
    requestedExpiry: ts("requested_expiry"),
    status: accessRequestStatus("status").notNull().default("pending"),
    decidedBy: uuid("decided_by").references(() => users.id),
    decidedAt: ts("decided_at"),
    decisionReason: text("decision_reason"),
    grantedPlanId: uuid("granted_plan_id").references(() => plans.id),
    grantedExpiry: ts("granted_expiry"),
    createdAt: createdAt(),
  },
  (t) => [index("access_requests_product_status_idx").on(t.productId, t.status)],
);

export const subscriptions = pgTable(
  "subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id),
    tierId: uuid("tier_id")
      .notNull()
      .references(() => maskingTiers.id),
    contractMajor: integer("contract_major").notNull(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    accessRequestId: uuid("access_request_id").references(() => accessRequests.id),
    state: subscriptionState("state").notNull().default("requested"),
    stateReason: text("state_reason"),
    purpose: text("purpose").notNull(),
    deliveryTopic: text("delivery_topic"),
    groupPrefix: text("group_prefix"),
    principal: text("principal"),
    expiresAt: ts("expires_at"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    activatedAt: ts("activated_at"),
    endedAt: ts("ended_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("subscriptions_product_idx").on(t.productId),
    index("subscriptions_team_idx").on(t.teamId),
    index("subscriptions_state_idx").on(t.state),
  ],
);

/** The secret is never stored: it is generated at reveal/rotate time and only SCRAM material goes to Kafka. */
export const credentials = pgTable("credentials", {
  id: uuid("id").primaryKey().defaultRandom(),
  subscriptionId: uuid("subscription_id")
    .notNull()
    .references(() => subscriptions.id),
  username: text("username").notNull().unique(),
  mechanism: saslMechanism("mechanism").notNull().default("scram-sha-512"),
  revealedAt: ts("revealed_at"),
  rotatedAt: ts("rotated_at"),
  /** After rotation the previous secret keeps working until this instant (grace period). */
  previousRetiresAt: ts("previous_retires_at"),
  revokedAt: ts("revoked_at"),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------------------------------------
// Jobs (outbox)
// ---------------------------------------------------------------------------------------------
export const jobs = pgTable(
  "jobs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Dotted job id, e.g. "subscription.provision". */
    kind: text("kind").notNull(),
    payload: jsonb("payload").notNull(),
    /** Deterministic: enqueueing the same work twice is a no-op. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    status: jobStatus("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(10),
    runAt: ts("run_at").notNull().defaultNow(),
    lockedAt: ts("locked_at"),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    finishedAt: ts("finished_at"),
  },
  (t) => [index("jobs_claim_idx").on(t.status, t.runAt)],
);

// ---------------------------------------------------------------------------------------------
// Router, metering, billing
// ---------------------------------------------------------------------------------------------
/**
 * Cumulative bytes the router delivered per delivery-topic partition: one row per produced batch
 * covering offsets [base_offset, offset), with each record's size, so the bytes before any offset
 * are exact: cumulative_bytes - sum(record_bytes[k..]) for a committed offset inside the batch.
 */
export const deliveryByteIndex = pgTable(
  "delivery_byte_index",
  {
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    /** Next offset after the sample (i.e. bytes of all records with offset < this). */
    offset: bigint("offset", { mode: "number" }).notNull(),
    cumulativeBytes: bigint("cumulative_bytes", { mode: "number" }).notNull(),
    /** First offset of the batch this row covers. */
    baseOffset: bigint("base_offset", { mode: "number" }),
    /** Size of each record in [base_offset, offset), in offset order (key + value + headers). */
    recordBytes: integer("record_bytes").array(),
  },
  (t) => [primaryKey({ columns: [t.topic, t.partition, t.offset] })],
);

/**
 * Router throughput per product per minute (one row per router instance and minute, summed on
 * read): what came in, what went out, what went to the DLQ, and how fresh the stream is.
 */
export const productThroughput = pgTable(
  "product_throughput",
  {
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id, { onDelete: "cascade" }),
    minute: ts("minute").notNull(),
    instance: text("instance").notNull(),
    recordsIn: bigint("records_in", { mode: "number" }).notNull().default(0),
    bytesIn: bigint("bytes_in", { mode: "number" }).notNull().default(0),
    /** Records produced to delivery topics, summed over tiers. */
    recordsOut: bigint("records_out", { mode: "number" }).notNull().default(0),
    bytesOut: bigint("bytes_out", { mode: "number" }).notNull().default(0),
    recordsDlq: bigint("records_dlq", { mode: "number" }).notNull().default(0),
    /** Latest source record timestamp seen in the minute. */
    lastRecordAt: ts("last_record_at"),
    /** Worst source-timestamp → delivered delay in the minute, ms. */
    maxDelayMs: integer("max_delay_ms"),
  },
  (t) => [primaryKey({ columns: [t.productId, t.minute, t.instance] })],
);

export const qualityIncidents = pgTable(
  "quality_incidents",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id),
    contractVersion: text("contract_version"),
    reason: text("reason").notNull(),
    /** Records counted in this hour for this reason. */
    hour: ts("hour").notNull(),
    count: bigint("count", { mode: "number" }).notNull().default(0),
    sample: text("sample"),
  },
  (t) => [uniqueIndex("quality_incidents_key_idx").on(t.productId, t.hour, t.reason)],
);

export const meterCheckpoints = pgTable(
  "meter_checkpoints",
  {
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    groupId: text("group_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    committedOffset: bigint("committed_offset", { mode: "number" }).notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.groupId, t.topic, t.partition] })],
);

/**
 * Where a subscription's billable usage starts on a delivery topic: each partition's high
 * watermark when the meter first saw the subscription (state provisioning or later, so normally
 * before its credential exists). Offsets below it are never billed: a group starting at "latest"
 * is not charged for the backlog it skipped. Partitions absent from `offsets` start at 0.
 * Written once, in the meter's transaction (lib/metering/README.md, "Where billing starts").
 */
export const meterBaselines = pgTable(
  "meter_baselines",
  {
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    topic: text("topic").notNull(),
    /** Partition number (as text) -> offset. */
    offsets: jsonb("offsets").$type<Record<string, number>>().notNull(),
    recordedAt: ts("recorded_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.topic] })],
);

/** One row per subscription per hour; written in the same transaction as the checkpoints. */
export const usageLedger = pgTable(
  "usage_ledger",
  {
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    hour: ts("hour").notNull(),
    messages: bigint("messages", { mode: "number" }).notNull().default(0),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    lag: bigint("lag", { mode: "number" }),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.hour] }), index("usage_ledger_hour_idx").on(t.hour)],
);

/**
 * Usage per subscription per calendar month (UTC): the sum of its usage_ledger rows, kept by
 * triggers on usage_ledger (migration 0010_usage_monthly_rollup) in the same transaction as every
 * ledger write. Charges and late usage are computed from it, so a month's chargeback reads one
 * row per subscription instead of ~720 ledger rows.
 */
export const usageMonthly = pgTable(
  "usage_monthly",
  {
    /** First day of the month (UTC). */
    month: date("month").notNull(),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    messages: bigint("messages", { mode: "number" }).notNull().default(0),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    /** The latest usage_ledger.updated_at that changed this month's sums. */
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.month, t.subscriptionId] }), index("usage_monthly_subscription_idx").on(t.subscriptionId)],
);

export const billingPeriods = pgTable("billing_periods", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** First day of the month (UTC). */
  month: date("month").notNull().unique(),
  status: periodStatus("status").notNull().default("open"),
  closedAt: ts("closed_at"),
  closedBy: uuid("closed_by").references(() => users.id),
  createdAt: createdAt(),
});

export const charges = pgTable(
  "charges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    periodId: uuid("period_id")
      .notNull()
      .references(() => billingPeriods.id),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id),
    productId: uuid("product_id")
      .notNull()
      .references(() => dataProducts.id),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    costCenterId: uuid("cost_center_id").references(() => costCenters.id),
    kind: chargeKind("kind").notNull(),
    quantity: text("quantity").notNull().default("0"),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    description: text("description").notNull().default(""),
    /** Corrections after a close are new rows pointing at what they compensate. */
    compensatesChargeId: uuid("compensates_charge_id"),
    createdAt: createdAt(),
  },
  (t) => [index("charges_period_idx").on(t.periodId), index("charges_subscription_idx").on(t.subscriptionId)],
);

/**
 * What was reported to Stripe for each (subscription, ledger hour): the permanent record behind
 * the meter events' deterministic identifiers, so finished jobs can be pruned without a hour
 * ever being sent twice. seq 0 is the hour's report once it settled; usage written into the hour
 * later is reported as seq 1, 2, … (the growth since the previous report). See lib/stripe.
 */
export const stripeUsageReports = pgTable(
  "stripe_usage_reports",
  {
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    hour: ts("hour").notNull(),
    seq: integer("seq").notNull(),
    /** Ledger units (bytes or messages) this report accounts for. */
    units: bigint("units", { mode: "number" }).notNull(),
    /** Units billed: `units` within what is left of the monthly cap; the meter event's value (0: nothing sent). */
    value: bigint("value", { mode: "number" }).notNull(),
    /** First day (UTC) of the month the event is billed in; the cap is per subscription and month. */
    billingMonth: date("billing_month").notNull(),
    identifier: text("identifier").notNull().unique(),
    /** The meter event's timestamp, unix seconds. */
    eventTimestamp: bigint("event_timestamp", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    sentAt: ts("sent_at"),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.hour, t.seq] }), index("stripe_usage_reports_month_idx").on(t.subscriptionId, t.billingMonth)],
);

export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: ts("received_at").notNull().defaultNow(),
  processedAt: ts("processed_at"),
});

// ---------------------------------------------------------------------------------------------
// Audit, notifications, API tokens
// ---------------------------------------------------------------------------------------------
/** Append-only: triggers refuse UPDATE/DELETE/TRUNCATE, and the app role (tributary_app, migration 0006) holds only SELECT and INSERT. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventVersion: integer("event_version").notNull().default(1),
    at: ts("at").notNull().defaultNow(),
    actorType: actorType("actor_type").notNull(),
    actorId: uuid("actor_id"),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    result: auditResult("result").notNull().default("success"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    correlationId: text("correlation_id"),
    details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actorId),
    // The trail's actor search is a substring match on the label (ILIKE '%…%').
    index("audit_log_actor_label_trgm_idx").using("gin", t.actorLabel.op("gin_trgm_ops")),
    index("audit_log_resource_idx").on(t.resourceType, t.resourceId),
  ],
);

export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    link: text("link"),
    readAt: ts("read_at"),
    /** Set once the email copy was handed to SMTP (null: not sent or SMTP not configured). */
    emailedAt: ts("emailed_at"),
    createdAt: createdAt(),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.readAt)],
);

/** Fixed-window request counters (token API rate limits), keyed e.g. "token:<id>". */
export const rateLimitWindows = pgTable("rate_limit_windows", {
  key: text("key").primaryKey(),
  windowStart: ts("window_start").notNull(),
  count: integer("count").notNull().default(0),
});

/** Liveness and progress of each worker process, written by the worker itself. */
export const workerStatus = pgTable("worker_status", {
  /** e.g. "router@host:pid". */
  instance: text("instance").primaryKey(),
  worker: text("worker").notNull(),
  startedAt: ts("started_at").notNull().defaultNow(),
  heartbeatAt: ts("heartbeat_at").notNull().defaultNow(),
  lastSuccessAt: ts("last_success_at"),
  lastError: text("last_error"),
  /** Worker-specific lag (records behind, jobs queued...), with its unit in details. */
  lag: bigint("lag", { mode: "number" }),
  details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
});

/** The publish wizard's saved state per draft product (each step saves here). */
export const productDrafts = pgTable("product_drafts", {
  productId: uuid("product_id")
    .primaryKey()
    .references(() => dataProducts.id, { onDelete: "cascade" }),
  /** Wizard form values by step: { basics, source, schema, fields, contract, tiers, plans }. */
  data: jsonb("data").notNull().default(sql`'{}'::jsonb`),
  stepsDone: text("steps_done").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: ts("updated_at").notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const apiTokens = pgTable("api_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
  teamId: uuid("team_id").references(() => teams.id, { onDelete: "cascade" }),
  /** First characters shown in lists so a person can tell tokens apart. */
  prefix: text("prefix").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
  expiresAt: ts("expires_at"),
  lastUsedAt: ts("last_used_at"),
  revokedAt: ts("revoked_at"),
  createdAt: createdAt(),
});
