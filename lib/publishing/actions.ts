"use server";

import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { FORM_STEPS, type FormStep } from "./schemas";
import {
  checkSlugAvailability,
  createDraft,
  defaultWizardKafka,
  discardDraft,
  inferSchemaForDraft,
  listTopicsForDraft,
  previewMasking,
  publishDraft,
  reviewDraft,
  sampleSourceForDraft,
  saveDraftStep,
} from "./service";

/**
 * Thin entry points for the wizard's client components. safeAction requires an owner of some
 * team; the services then check ownership of the product's team and that it is still a draft.
 */

const ProductId = z.object({ productId: z.uuid() });
/** The source step is saved by sampleSourceAction only: samples are read server-side, never sent. */
const FormSteps = FORM_STEPS as [FormStep, ...FormStep[]];

export const createDraftAction = safeAction({ schema: z.object({ basics: z.unknown() }), role: "owner" }, (input, { user, db }) =>
  createDraft(db, user, input.basics),
);

export const saveDraftStepAction = safeAction(
  { schema: ProductId.extend({ step: z.enum(FormSteps, "This step is not saved from a form (the source is saved by sampling its topic)"), data: z.unknown() }), role: "owner" },
  (input, { user, db }) => saveDraftStep(db, user, input.productId, input.step, input.data),
);

export const checkSlugAction = safeAction({ schema: z.object({ slug: z.string().max(200), productId: z.uuid().optional() }), role: "owner" }, (input, { db }) =>
  checkSlugAvailability(db, input.slug, input.productId),
);

export const listTopicsAction = safeAction({ schema: ProductId.extend({ clusterId: z.uuid() }), role: "owner" }, (input, { user, db }) =>
  listTopicsForDraft(db, user, defaultWizardKafka, input.productId, input.clusterId),
);

export const sampleSourceAction = safeAction(
  { schema: ProductId.extend({ clusterId: z.uuid(), topic: z.string().trim().min(1, "Choose a topic").max(249) }), role: "owner" },
  (input, { user, db }) => sampleSourceForDraft(db, user, defaultWizardKafka, input),
);

export const inferSchemaAction = safeAction({ schema: ProductId, role: "owner" }, (input, { user, db }) => inferSchemaForDraft(db, user, input.productId));

export const previewMaskingAction = safeAction({ schema: ProductId.extend({ tier: z.unknown() }), role: "owner" }, (input, { user, db }) =>
  previewMasking(db, user, input.productId, input.tier),
);

export const reviewDraftAction = safeAction({ schema: ProductId, role: "owner" }, (input, { user, db }) => reviewDraft(db, user, input.productId));

export const publishDraftAction = safeAction({ schema: ProductId, role: "owner" }, (input, { user, db }) => publishDraft(db, user, input.productId));

export const discardDraftAction = safeAction({ schema: ProductId, role: "owner" }, (input, { user, db }) => discardDraft(db, user, input.productId));
