import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BasicsForm } from "@/components/publishing/basics-form";
import { ContractStep } from "@/components/publishing/contract-step";
import { DiscardDraftButton } from "@/components/publishing/discard-draft-button";
import { FieldsStep } from "@/components/publishing/fields-step";
import { PlansStep } from "@/components/publishing/plans-step";
import { ReviewStep } from "@/components/publishing/review-step";
import { SchemaStep } from "@/components/publishing/schema-step";
import { SourceStep } from "@/components/publishing/source-step";
import { TiersStep } from "@/components/publishing/tiers-step";
import { WizardSteps } from "@/components/publishing/wizard-steps";
import { Alert } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/session";
import { isStep, STEP_LABELS, type Step } from "@/lib/publishing/schemas";
import { fieldRows, listWizardClusters, reviewDraft, sourceWarnings, tierFieldRows } from "@/lib/publishing/service";
import { loadWizardOrRespond } from "../load";

export async function generateMetadata({ params }: { params: Promise<{ step: string }> }): Promise<Metadata> {
  const { step } = await params;
  return { title: isStep(step) ? `Publish: ${STEP_LABELS[step]}` : "Publish" };
}

const INTRO: Record<Step, string> = {
  basics: "What the product is called, where it lives in the catalog and how sensitive it is.",
  source: "The Kafka topic the product is made from. Consumers never read it directly: the router validates, masks and delivers it.",
  schema: "The shape of each record: upload JSON Schema or Avro, or infer a JSON Schema from the sampled messages, then edit it.",
  fields: "Document each field and tag personal data. Every personal field needs a masking rule in every tier but the full-access one.",
  contract: "What consumers can rely on, what they may use the data for, and the rules every record must pass.",
  tiers: "What each tier delivers. Fields are allow-listed; personal fields are masked per tier. The preview masks sampled records with this product's own key.",
  plans: "How consumers get a tier: approval, price and limits.",
  review: "The publish checks. Fix what they find (each links to its step), then publish.",
};

function Missing({ productId, step, message }: { productId: string; step: Step; message: string }) {
  return (
    <Alert tone="warning" title="An earlier step is missing">
      {message}{" "}
      <Link className="font-medium underline" href={`/owner/publish/${productId}/${step}`}>
        Go to {STEP_LABELS[step]}
      </Link>
    </Alert>
  );
}

export default async function PublishStepPage({ params }: { params: Promise<{ productId: string; step: string }> }) {
  const user = await requireRole("owner");
  const { productId, step } = await params;
  if (!isStep(step)) notFound();
  const state = await loadWizardOrRespond(user, productId);
  const { data } = state;
  const db = getDb();
  const hasSamples = (data.source?.samples ?? []).some((s) => s.value !== null);

  let body: React.ReactNode;
  switch (step) {
    case "basics": {
      const teams = user.teams.filter((t) => t.role === "owner").map((t) => ({ id: t.id, name: t.name }));
      body = <BasicsForm productId={productId} teams={teams} initial={data.basics ?? { teamId: state.product.ownerTeamId, name: state.product.name, slug: state.product.slug }} done={state.stepsDone} />;
      break;
    }
    case "source":
      body = <SourceStep productId={productId} clusters={await listWizardClusters(db)} initial={data.source ?? null} initialWarnings={sourceWarnings(data)} />;
      break;
    case "schema":
      body = <SchemaStep productId={productId} initial={data.schema ?? null} hasSamples={hasSamples} />;
      break;
    case "fields": {
      const rows = fieldRows(data);
      body = rows.ok ? <FieldsStep productId={productId} rows={rows.rows} saved={Boolean(data.fields)} /> : <Missing productId={productId} step="schema" message={rows.message} />;
      break;
    }
    case "contract": {
      const rows = tierFieldRows(data);
      body = rows.ok ? (
        <ContractStep productId={productId} initial={data.contract ?? null} fieldPaths={rows.rows.filter((r) => !r.container).map((r) => r.path)} defaultContact={user.email} />
      ) : (
        <Missing productId={productId} step="schema" message={rows.message} />
      );
      break;
    }
    case "tiers": {
      const rows = tierFieldRows(data);
      body = rows.ok ? (
        data.fields ? (
          <TiersStep productId={productId} fields={rows.rows} initial={data.tiers?.tiers ?? null} hasSamples={hasSamples} />
        ) : (
          <Missing productId={productId} step="fields" message="Tag personal data in the fields step first: the tiers depend on it." />
        )
      ) : (
        <Missing productId={productId} step="schema" message={rows.message} />
      );
      break;
    }
    case "plans":
      body = data.tiers ? (
        <PlansStep productId={productId} tiers={data.tiers.tiers.map((t) => ({ name: t.name, fullAccess: t.fullAccess }))} initial={data.plans?.plans ?? null} />
      ) : (
        <Missing productId={productId} step="tiers" message="Define the masking tiers first: every plan delivers one tier." />
      );
      break;
    case "review": {
      const r = await reviewDraft(db, user, productId);
      body = <ReviewStep productId={productId} slug={state.product.slug} issues={r.issues} warnings={r.warnings} />;
      break;
    }
  }

  return (
    <main className="mx-auto max-w-6xl">
      <p className="text-sm text-slate-500">
        <Link href="/owner" className="hover:underline">
          My products
        </Link>{" "}
        / Draft
      </p>
      <div className="mt-1 flex flex-wrap items-start justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{data.basics?.name ?? state.product.name}</h1>
        <DiscardDraftButton productId={productId} name={data.basics?.name ?? state.product.name} redirectTo="/owner" />
      </div>
      <p className="mb-6 mt-1 text-sm text-slate-600">{INTRO[step]}</p>
      <WizardSteps productId={productId} current={step} done={state.stepsDone} />
      {body}
    </main>
  );
}
