import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { formCheckbox } from "@/lib/actions/form";

const name = (what: string) =>
  z.string({ error: `Enter a ${what} name.` }).trim().min(2, `Enter a ${what} name (2+ characters).`).max(120, "Use at most 120 characters.");
const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, "Use lower-case letters, digits and dashes.")
  .optional();
const optionalEmail = z
  .string()
  .trim()
  .max(320, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."))
  .optional();
const id = (what: string) => z.uuid({ error: `Unknown ${what}.` });

export const CreateOrganizationSchema = z.object({
  name: name("organization"),
  slug,
  kind: z.enum(["internal", "external"], { error: "Choose internal or external." }),
  billingEmail: optionalEmail,
});
export const UpdateOrganizationSchema = CreateOrganizationSchema.omit({ slug: true }).extend({ orgId: id("organization") });

export const CreateCostCenterSchema = z.object({
  orgId: id("organization"),
  code: z
    .string({ error: "Enter a code." })
    .trim()
    .min(2, "Enter a code (2+ characters).")
    .max(40, "Use at most 40 characters.")
    .regex(/^[A-Za-z0-9._-]+$/, "Use letters, digits, dots, dashes and underscores."),
  name: name("cost center"),
});
export const UpdateCostCenterSchema = CreateCostCenterSchema.omit({ orgId: true }).extend({ costCenterId: id("cost center") });

export const CreateTeamSchema = z.object({
  orgId: id("organization"),
  name: name("team"),
  slug,
  costCenterId: id("cost center").optional(),
  contactEmail: optionalEmail,
});
export const UpdateTeamSchema = CreateTeamSchema.omit({ orgId: true, slug: true }).extend({ teamId: id("team") });

export const SetMembershipSchema = z.object({
  teamId: id("team"),
  email: z.string({ error: "Enter the person's email." }).trim().toLowerCase().pipe(z.email("Enter a valid email address.")),
  role: z.enum(["member", "owner"], { error: "Choose a team role." }),
});
export const RemoveMembershipSchema = z.object({ teamId: id("team"), userId: id("user") });

export const SetUserRolesSchema = z.object({
  userId: id("user"),
  finance: formCheckbox(),
  admin: formCheckbox(),
});

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const servers = z
  .string({ error: "Enter at least one bootstrap server." })
  .trim()
  .min(1, "Enter at least one bootstrap server.")
  .max(2000, "Use at most 2000 characters.")
  // Issues raised here keep the field's own path, so the form shows them under the input.
  .transform((s, ctx) => {
    const list = s.split(/[\s,]+/).filter(Boolean);
    const bad = list.filter((x) => !HOST_PORT.test(x));
    if (bad.length) ctx.addIssue({ code: "custom", message: `Use host:port, separated by commas (not: ${bad.slice(0, 3).join(", ")}).` });
    else if (list.length > 20) ctx.addIssue({ code: "custom", message: "At most 20 servers." });
    return list.join(",");
  });

export const ClusterFieldsSchema = z.object({
  name: name("cluster").regex(/^[A-Za-z0-9 ._-]+$/, "Use letters, digits, spaces, dots, dashes and underscores."),
  bootstrapServers: servers,
  saslMechanism: z.enum(["none", "plain", "scram-sha-256", "scram-sha-512"], { error: "Choose a SASL mechanism." }),
  adminUsername: z.string().trim().max(200, "Use at most 200 characters.").optional(),
  /** Write-only: empty keeps the stored secret (on edit). */
  adminSecret: z.string().max(1000, "Use at most 1000 characters.").optional(),
  clearSecret: formCheckbox(),
  tls: formCheckbox(),
  /** PEM of a private CA; empty means the system's CAs only (and, on edit, drops a stored one). */
  tlsCaCert: z
    .string()
    .trim()
    .max(20_000, "Use at most 20,000 characters.")
    .optional()
    .refine((pem) => !pem || isCertificate(pem), "Paste a PEM certificate (-----BEGIN CERTIFICATE----- …)."),
});

function isCertificate(pem: string): boolean {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) return false;
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

function saslConsistent(v: { saslMechanism: string; adminUsername?: string }, ctx: z.RefinementCtx) {
  if (v.saslMechanism !== "none" && !v.adminUsername) ctx.addIssue({ code: "custom", path: ["adminUsername"], message: "SASL needs an admin username." });
}

export const CreateClusterSchema = ClusterFieldsSchema.superRefine((v, ctx) => {
  saslConsistent(v, ctx);
  if (v.saslMechanism !== "none" && !v.adminSecret) ctx.addIssue({ code: "custom", path: ["adminSecret"], message: "SASL needs the admin password." });
});
export const UpdateClusterSchema = ClusterFieldsSchema.extend({ clusterId: id("cluster") }).superRefine(saslConsistent);
export const ClusterIdSchema = z.object({ clusterId: id("cluster") });

export const ExternalExpirySchema = z.object({
  noDefault: formCheckbox(),
  days: z.coerce.number({ error: "Enter a number of days." }).int("Use whole days.").min(1, "At least 1 day.").max(3650, "At most 3650 days (10 years).").optional(),
}).superRefine((v, ctx) => {
  if (!v.noDefault && v.days === undefined) ctx.addIssue({ code: "custom", path: ["days"], message: "Enter a number of days." });
});

export const RotateMaskingKeysSchema = z.object({
  scope: z.enum(["product", "all"], { error: "Choose one product or all products." }),
  productId: id("product").optional(),
  confirm: z.literal("rotate", { error: 'Type "rotate" to confirm.' }),
}).superRefine((v, ctx) => {
  if (v.scope === "product" && !v.productId) ctx.addIssue({ code: "custom", path: ["productId"], message: "Choose a product." });
});

/** The admin users list: ?q= (email or name contains, case-insensitive) and ?page=. */
export const USERS_PAGE_SIZE = 50;
const firstParam = (v: unknown) => (Array.isArray(v) ? v[0] : v);
export const UserListQuerySchema = z.object({
  q: z.preprocess((v) => {
    const s = firstParam(v);
    return typeof s === "string" && s.trim() === "" ? undefined : s;
  }, z.string().trim().max(200, "Use at most 200 characters.").optional()),
  page: z.preprocess((v) => firstParam(v) ?? undefined, z.coerce.number().int().min(1).catch(1).default(1)),
});
