"use server";

import { safeAction } from "@/lib/actions/safe-action";
import { CompatibilitySchema, LifecycleSchema, PublishVersionSchema, VersionDraftSchema } from "./schemas";
import { changeProductStatus, previewNewVersion, publishNewVersion, setCompatibilityMode } from "./service";

/** Thin entry points: the services check that the caller owns the product (or is an admin). */

export const previewVersionAction = safeAction({ schema: VersionDraftSchema }, (input, { user, db }) => previewNewVersion(db, user, input));

export const publishVersionAction = safeAction({ schema: PublishVersionSchema }, (input, { user, db }) => publishNewVersion(db, user, input));

export const changeProductStatusAction = safeAction({ schema: LifecycleSchema }, (input, { user, db }) => changeProductStatus(db, user, input));

export const setCompatibilityModeAction = safeAction({ schema: CompatibilitySchema }, (input, { user, db }) => setCompatibilityMode(db, user, input));
