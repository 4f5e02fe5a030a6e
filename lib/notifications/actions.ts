"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { formArray } from "@/lib/actions/form";
import { markAllNotificationsRead, markNotificationsRead } from "./queries";

/**
 * Reading one's own notifications is not an audited decision (it changes nothing anyone else
 * sees); the queries filter on the caller's id, so foreign ids do nothing.
 */
export const markNotificationsReadAction = safeAction(
  { schema: z.object({ ids: formArray(z.uuid({ error: "Unknown notification." })).pipe(z.array(z.uuid()).min(1, "Choose a notification.").max(200)) }) },
  async (input, { user, db }) => {
    const changed = await markNotificationsRead(db, user.id, input.ids);
    revalidatePath("/", "layout");
    return { changed };
  },
);

export const markAllNotificationsReadAction = safeAction({ schema: z.object({}) }, async (_input, { user, db }) => {
  const changed = await markAllNotificationsRead(db, user.id);
  revalidatePath("/", "layout");
  return { changed };
});
