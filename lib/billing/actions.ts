"use server";

import { revalidatePath } from "next/cache";
import { safeAction } from "@/lib/actions/safe-action";
import { AppError } from "@/lib/errors";
import { closePeriod, createAdjustment } from "./charges";
import { minorUnitDigits } from "./pricing";
import { AdjustmentSchema, ClosePeriodSchema } from "./schemas";
import { charges } from "@/db/schema";
import { eq } from "drizzle-orm";

/** Finance and admins only (the wrapper checks the role; the services check it again). */
export const closePeriodAction = safeAction({ schema: ClosePeriodSchema, role: "finance" }, async (input, { user, db }) => {
  const res = await closePeriod(db, user, input.period);
  revalidatePath("/finance");
  return { period: res.period, lines: res.lines, totals: res.totals };
});

/** "-12.50" in the charge's currency to minor units, exactly; more decimals than the currency has is a field error. */
function toMinor(amount: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount)!;
  const frac = m[3] ?? "";
  if (frac.length > digits) throw new AppError("validation", undefined, { fieldErrors: { amount: [`${currency} has ${digits} decimals.`] } });
  const minor = BigInt(m[2]!) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, "0") || "0");
  return Number(m[1] ? -minor : minor);
}

export const createAdjustmentAction = safeAction({ schema: AdjustmentSchema, role: "finance" }, async (input, { user, db }) => {
  const [charge] = await db.select({ currency: charges.currency }).from(charges).where(eq(charges.id, input.chargeId));
  if (!charge) throw new AppError("not_found", "No such charge.");
  const row = await createAdjustment(db, user, { chargeId: input.chargeId, amountMinor: toMinor(input.amount, charge.currency), reason: input.reason });
  revalidatePath("/finance");
  return { id: row.id };
});
