import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { getSubscriptionDetail } from "@/lib/subscriptions/detail";

/**
 * The layout and the page both need the subscription (the layout to answer 404 before the
 * loading skeleton streams, the page to render); cache() makes it one lookup per request.
 * Unknown, malformed and other teams' ids all end in the same notFound().
 */
export const loadSubscriptionPage = cache(async (id: string) => {
  const user = await requireUser();
  try {
    return { user, detail: await getSubscriptionDetail(getDb(), user, id) };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
});
