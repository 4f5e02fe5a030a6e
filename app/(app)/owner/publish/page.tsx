import type { Metadata } from "next";
import { BasicsForm } from "@/components/publishing/basics-form";
import { WizardSteps } from "@/components/publishing/wizard-steps";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Publish a data product" };

/** Step 1 of a new draft; saving it creates the draft and moves on to the source. */
export default async function NewPublishPage() {
  const user = await requireRole("owner");
  const teams = user.teams.filter((t) => t.role === "owner").map((t) => ({ id: t.id, name: t.name }));
  return (
    <main className="mx-auto max-w-5xl">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Publish a data product</h1>
      <p className="mb-6 mt-1 text-sm text-slate-600">Turn a Kafka topic into a governed stream. Each step is saved as a draft; nothing reaches the catalog until it passes the publish checks.</p>
      <WizardSteps productId={null} current="basics" done={[]} />
      <BasicsForm productId={null} teams={teams} initial={{}} done={[]} />
    </main>
  );
}
