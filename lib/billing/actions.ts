"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { charges } from "@/db/schema";
import { safeAction } from "@/lib/actions/safe-action";
import { AppError } from "@/lib/errors";
import { closePeriod, createAdjustment } from "./charges";
import { parseMajor } from "./pricing";
import { AdjustmentSchema, ClosePeriodSchema } from "./schemas";

/** Finance and admins only (the wrapper checks the role; the services check it again). */
export const closePeriodAction = safeAction({ schema: ClosePeriodSchema, role: "finance" }, async (input, { user, db }) => {
  const res = await closePeriod(db, user, input.period);
  revalidatePath("/finance");
  return { period: res.period, lines: res.lines, totals: res.totals };
});

/**
 * A compensating line for a closed period's charge (the "Adjust" dialog on /finance). The amount
 * is typed in major units of the charge's currency and converted exactly; the service books it
 * in the earliest open period and audits it.
 */
export const createAdjustmentAction = safeAction({ schema: AdjustmentSchema, role: "finance" }, async (input, { user, db }) => {
  const [charge] = await db.select({ currency: charges.currency }).from(charges).where(eq(charges.id, input.chargeId));
  if (!charge) throw new AppError("not_found", "No such charge.");
  let amountMinor: number;
  try {
    amountMinor = parseMajor(input.amount, charge.currency);
  } catch (err) {
    throw new AppError("validation", undefined, { fieldErrors: { amount: [(err as Error).message] } });
  }
  if (amountMinor === 0) throw new AppError("validation", undefined, { fieldErrors: { amount: ["Enter a non-zero amount: negative for a credit, positive for a charge."] } });
  const row = await createAdjustment(db, user, { chargeId: input.chargeId, amountMinor, reason: input.reason });
  revalidatePath("/finance");
  return { id: row.id, bookedIn: row.bookedIn, amountMinor: row.amountMinor, currency: row.currency };
});
