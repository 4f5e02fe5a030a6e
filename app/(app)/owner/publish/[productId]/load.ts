import { forbidden, notFound, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import type { SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { findProductForWizard } from "@/lib/publishing/queries";
import { loadWizard, type WizardState } from "@/lib/publishing/service";

/** loadWizard with its refusals turned into the page answers: 404, 403, or the manage page once published. */
export async function loadWizardOrRespond(user: SessionUser, productId: string): Promise<WizardState> {
  if (!/^[0-9a-f-]{36}$/i.test(productId)) notFound();
  try {
    return await loadWizard(getDb(), user, productId);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (e.code === "not_found") notFound();
    if (e.code === "forbidden") forbidden();
    if (e.code === "conflict") {
      const p = await findProductForWizard(getDb(), productId);
      redirect(p ? `/owner/products/${p.slug}` : "/owner");
    }
    throw e;
  }
}
