import { asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { organizations } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { assertAdmin, auditAdmin, isUniqueViolation, slugify } from "./guard";
import type { CreateOrganizationSchema, UpdateOrganizationSchema } from "./schemas";

export type OrganizationRow = {
  id: string;
  slug: string;
  name: string;
  kind: "internal" | "external";
  billingEmail: string | null;
  stripeCustomerId: string | null;
  teamCount: number;
  userCount: number;
};

export async function listOrganizations(db: Db, actor: SessionUser): Promise<OrganizationRow[]> {
  assertAdmin(actor);
  return db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      kind: organizations.kind,
      billingEmail: organizations.billingEmail,
      stripeCustomerId: organizations.stripeCustomerId,
      // Spelled out: drizzle leaves columns unqualified in a one-table select, and an unqualified
      // "id" inside the subquery would bind to the inner table.
      teamCount: sql<number>`(select count(*)::int from teams t where t.org_id = "organizations"."id")`,
      userCount: sql<number>`(select count(*)::int from users u where u.org_id = "organizations"."id")`,
    })
    .from(organizations)
    .orderBy(asc(organizations.kind), asc(organizations.name));
}

export async function createOrganization(db: Db, actor: SessionUser, input: z.output<typeof CreateOrganizationSchema>): Promise<{ id: string }> {
  assertAdmin(actor);
  const slug = input.slug ?? slugify(input.name);
  if (!slug) throw new AppError("validation", undefined, { fieldErrors: { slug: ["Enter a slug (letters or digits)."] } });
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(organizations)
        .values({ slug, name: input.name, kind: input.kind, billingEmail: input.billingEmail ?? null })
        .returning({ id: organizations.id });
      await auditAdmin(tx, actor, { action: "organization.create", resource: { type: "organization", id: row.id }, details: { slug, name: input.name, kind: input.kind, billingEmail: input.billingEmail ?? null } });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("validation", undefined, { fieldErrors: { slug: [`The slug "${slug}" is taken.`] } });
    throw err;
  }
}

export async function updateOrganization(db: Db, actor: SessionUser, input: z.output<typeof UpdateOrganizationSchema>): Promise<void> {
  assertAdmin(actor);
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(organizations).where(eq(organizations.id, input.orgId)).for("update");
    if (!before) throw new AppError("not_found", "No such organization.");
    if (before.kind !== input.kind && before.id === actor.orgId && input.kind === "external") {
      throw new AppError("validation", undefined, { fieldErrors: { kind: ["You cannot make your own organization external."] } });
    }
    const next = { name: input.name, kind: input.kind, billingEmail: input.billingEmail ?? null };
    await tx.update(organizations).set(next).where(eq(organizations.id, input.orgId));
    await auditAdmin(tx, actor, {
      action: "organization.update",
      resource: { type: "organization", id: input.orgId },
      details: { from: { name: before.name, kind: before.kind, billingEmail: before.billingEmail }, to: next },
    });
  });
}
