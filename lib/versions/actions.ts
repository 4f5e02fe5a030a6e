"use server";

import { safeAction } from "@/lib/actions/safe-action";
import { createPlan, createTier, deactivatePlan, previewTier, updatePlan, updateTier } from "./offer";
import {
  CompatibilitySchema,
  LifecycleSchema,
  PlanCreateSchema,
  PlanDeactivateSchema,
  PlanUpdateSchema,
  PublishVersionSchema,
  TierCreateSchema,
  TierPreviewSchema,
  TierUpdateSchema,
  VersionDraftSchema,
} from "./schemas";
import { changeProductStatus, previewNewVersion, publishNewVersion, setCompatibilityMode } from "./service";

/** Thin entry points: the services check that the caller owns the product (or is an admin). */

export const previewVersionAction = safeAction({ schema: VersionDraftSchema }, (input, { user, db }) => previewNewVersion(db, user, input));

export const publishVersionAction = safeAction({ schema: PublishVersionSchema }, (input, { user, db }) => publishNewVersion(db, user, input));

export const changeProductStatusAction = safeAction({ schema: LifecycleSchema }, (input, { user, db }) => changeProductStatus(db, user, input));

export const setCompatibilityModeAction = safeAction({ schema: CompatibilitySchema }, (input, { user, db }) => setCompatibilityMode(db, user, input));

// ---- Tiers and plans (offer.ts) ---------------------------------------------------------------

export const updateTierAction = safeAction({ schema: TierUpdateSchema }, (input, { user, db }) => updateTier(db, user, input));

export const createTierAction = safeAction({ schema: TierCreateSchema }, (input, { user, db }) => createTier(db, user, input));

export const createPlanAction = safeAction({ schema: PlanCreateSchema }, (input, { user, db }) => createPlan(db, user, input));

export const updatePlanAction = safeAction({ schema: PlanUpdateSchema }, (input, { user, db }) => updatePlan(db, user, input));

export const deactivatePlanAction = safeAction({ schema: PlanDeactivateSchema }, (input, { user, db }) => deactivatePlan(db, user, input));

export const previewTierAction = safeAction({ schema: TierPreviewSchema }, (input, { user, db }) => previewTier(db, user, input));
