"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { createApiToken, CreateTokenSchema, revokeApiToken } from "./tokens";

export const createApiTokenAction = safeAction({ schema: CreateTokenSchema }, async (input, { user, db }) => {
  const created = await createApiToken(db, user, input);
  revalidatePath("/settings/tokens");
  // The only time the token leaves the server in clear.
  return { token: created.token, prefix: created.prefix, expiresAt: created.expiresAt.toISOString() };
});

export const revokeApiTokenAction = safeAction({ schema: z.object({ tokenId: z.uuid() }) }, async (input, { user, db }) => {
  await revokeApiToken(db, user, input);
  revalidatePath("/settings/tokens");
  return { tokenId: input.tokenId };
});
