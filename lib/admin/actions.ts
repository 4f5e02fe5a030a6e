"use server";

import { revalidatePath } from "next/cache";
import { safeAction } from "@/lib/actions/safe-action";
import { deleteCluster, createCluster, testClusterConnection, updateCluster } from "./clusters";
import { createOrganization, updateOrganization } from "./organizations";
import { rotateMaskingKeys, setExternalAccessDefaultExpiry } from "./platform";
import {
  ClusterIdSchema,
  CreateClusterSchema,
  CreateCostCenterSchema,
  CreateOrganizationSchema,
  CreateTeamSchema,
  ExternalExpirySchema,
  RemoveMembershipSchema,
  RotateMaskingKeysSchema,
  SetMembershipSchema,
  SetUserRolesSchema,
  UpdateClusterSchema,
  UpdateCostCenterSchema,
  UpdateOrganizationSchema,
  UpdateTeamSchema,
} from "./schemas";
import { createCostCenter, createTeam, removeMembership, setMembership, updateCostCenter, updateTeam } from "./teams";
import { setUserRoles } from "./users";

/**
 * Admin console entry points. The wrapper checks the admin role; each service checks again
 * (assertAdmin) and audits in the transaction of its change.
 */
const admin = "admin" as const;

export const setUserRolesAction = safeAction({ schema: SetUserRolesSchema, role: admin }, async (input, { user, db }) => {
  const roles = await setUserRoles(db, user, input);
  revalidatePath("/admin/users");
  return { roles };
});

export const createOrganizationAction = safeAction({ schema: CreateOrganizationSchema, role: admin }, async (input, { user, db }) => {
  const row = await createOrganization(db, user, input);
  revalidatePath("/admin/organizations");
  return row;
});

export const updateOrganizationAction = safeAction({ schema: UpdateOrganizationSchema, role: admin }, async (input, { user, db }) => {
  await updateOrganization(db, user, input);
  revalidatePath("/admin/organizations");
  return { orgId: input.orgId };
});

export const createCostCenterAction = safeAction({ schema: CreateCostCenterSchema, role: admin }, async (input, { user, db }) => {
  const row = await createCostCenter(db, user, input);
  revalidatePath("/admin/teams");
  return row;
});

export const updateCostCenterAction = safeAction({ schema: UpdateCostCenterSchema, role: admin }, async (input, { user, db }) => {
  await updateCostCenter(db, user, input);
  revalidatePath("/admin/teams");
  return { costCenterId: input.costCenterId };
});

export const createTeamAction = safeAction({ schema: CreateTeamSchema, role: admin }, async (input, { user, db }) => {
  const row = await createTeam(db, user, input);
  revalidatePath("/admin/teams");
  return row;
});

export const updateTeamAction = safeAction({ schema: UpdateTeamSchema, role: admin }, async (input, { user, db }) => {
  await updateTeam(db, user, input);
  revalidatePath("/admin/teams");
  return { teamId: input.teamId };
});

export const setMembershipAction = safeAction({ schema: SetMembershipSchema, role: admin }, async (input, { user, db }) => {
  const row = await setMembership(db, user, input);
  revalidatePath("/admin/teams");
  return row;
});

export const removeMembershipAction = safeAction({ schema: RemoveMembershipSchema, role: admin }, async (input, { user, db }) => {
  await removeMembership(db, user, input);
  revalidatePath("/admin/teams");
  return input;
});

export const createClusterAction = safeAction({ schema: CreateClusterSchema, role: admin }, async (input, { user, db }) => {
  const row = await createCluster(db, user, input);
  revalidatePath("/admin/clusters");
  return row;
});

export const updateClusterAction = safeAction({ schema: UpdateClusterSchema, role: admin }, async (input, { user, db }) => {
  await updateCluster(db, user, input);
  revalidatePath("/admin/clusters");
  return { clusterId: input.clusterId };
});

export const deleteClusterAction = safeAction({ schema: ClusterIdSchema, role: admin }, async (input, { user, db }) => {
  await deleteCluster(db, user, input.clusterId);
  revalidatePath("/admin/clusters");
  return input;
});

export const testClusterConnectionAction = safeAction({ schema: ClusterIdSchema, role: admin }, async (input, { user, db }) => {
  return testClusterConnection(db, user, input.clusterId);
});

export const setExternalExpiryAction = safeAction({ schema: ExternalExpirySchema, role: admin }, async (input, { user, db }) => {
  const days = input.noDefault ? null : (input.days ?? null);
  await setExternalAccessDefaultExpiry(db, user, days);
  revalidatePath("/admin/settings");
  return { days };
});

export const rotateMaskingKeysAction = safeAction({ schema: RotateMaskingKeysSchema, role: admin }, async (input, { user, db }) => {
  const result = await rotateMaskingKeys(db, user, input.scope === "all" ? { scope: "all" } : { scope: "product", productId: input.productId! });
  revalidatePath("/admin/settings");
  return result;
});
