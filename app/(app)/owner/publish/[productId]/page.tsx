import { redirect } from "next/navigation";
import { requireRole } from "@/lib/auth/session";
import { STEPS } from "@/lib/publishing/schemas";
import { loadWizardOrRespond } from "./load";

/** Continue a draft: the first step not done yet. */
export default async function ContinueDraftPage({ params }: { params: Promise<{ productId: string }> }) {
  const user = await requireRole("owner");
  const { productId } = await params;
  const state = await loadWizardOrRespond(user, productId);
  const next = STEPS.find((s) => !state.stepsDone.includes(s)) ?? "review";
  redirect(`/owner/publish/${productId}/${next}`);
}
