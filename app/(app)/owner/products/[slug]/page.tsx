import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import type { ReactNode } from "react";
import { cache } from "react";
import { Badge, Card, CardBody, ClassificationBadge, SectionNav } from "@/components/ui";
import { CompatibilityForm } from "@/components/versions/compatibility-form";
import { LifecyclePanel } from "@/components/versions/lifecycle-panel";
import { NewVersionForm } from "@/components/versions/new-version-form";
import { PlansEditor } from "@/components/versions/plans-editor";
import { TiersEditor } from "@/components/versions/tiers-editor";
import { VersionsTable } from "@/components/versions/versions-table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { loadOffer } from "@/lib/versions/offer";
import { loadManageView } from "@/lib/versions/service";

// No loading.tsx on purpose: a Suspense boundary would stream a 200 before notFound()/forbidden().
type Props = { params: Promise<{ slug: string }> };

const load = cache(async (slug: string) => {
  const user = await requireUser();
  return loadManageView(getDb(), user, slug);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const lookup = await load((await params).slug);
  return { title: lookup.kind === "ok" ? `Manage ${lookup.view.product.name}` : "Manage product" };
}

const sections = [
  { id: "overview", label: "Overview" },
  { id: "versions", label: "Versions" },
  { id: "tiers", label: "Masking tiers" },
  { id: "plans", label: "Plans" },
  { id: "new-version", label: "New version" },
  { id: "lifecycle", label: "Lifecycle" },
  { id: "compatibility", label: "Compatibility" },
];

const statusTone = { draft: "neutral", published: "green", deprecated: "orange", retired: "red" } as const;

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-heading`} className="scroll-mt-6">
      <h2 id={`${id}-heading`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-3">{children}</div>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export default async function ManageProductPage({ params }: Props) {
  const { slug } = await params;
  const lookup = await load(slug);
  if (lookup.kind === "not_found") notFound();
  if (lookup.kind === "forbidden") forbidden();
  const { product, team, versions, current, currentSchemaText, tiers, activePlans, liveSubscriptions, subscriptionsByMajor, transitions } = lookup.view;
  const listed = product.status === "published" || product.status === "deprecated";
  const offer = await loadOffer(getDb(), product);

  return (
    <main>
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link href="/owner" className="hover:text-brand-700 hover:underline">
          Owner
        </Link>
        <span aria-hidden="true"> / </span>
        <span>{team.name}</span>
      </nav>
      <header className="mt-3 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{product.name}</h1>
          {product.summary && <p className="mt-1 max-w-3xl text-slate-600">{product.summary}</p>}
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <Badge tone={statusTone[product.status]}>
              {product.status.charAt(0).toUpperCase() + product.status.slice(1)}
              {product.status === "deprecated" && product.sunsetAt ? ` · sunset ${product.sunsetAt.toISOString().slice(0, 10)}` : ""}
            </Badge>
            <ClassificationBadge value={product.classification} />
            <Badge tone="brand">{product.domain}</Badge>
          </div>
        </div>
        <div className="flex flex-wrap gap-3 text-sm">
          {listed && (
            <Link href={`/products/${product.slug}`} className="font-medium text-brand-700 hover:underline">
              View in the catalog
            </Link>
          )}
        </div>
      </header>

      <SectionNav items={sections} className="mt-6" />

      <div className="mt-6 space-y-10">
        <Section id="overview" title="Overview">
          <Card>
            <CardBody>
              <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                <Fact label="Current version">{current ? <span className="font-mono">{current.version}</span> : "None yet"}</Fact>
                <Fact label="Compatibility">{product.compatibility}</Fact>
                <Fact label="Live subscriptions">{liveSubscriptions}</Fact>
                <Fact label="Active plans">{activePlans}</Fact>
                <Fact label="Owning team">{team.name}</Fact>
                <Fact label="Source topic">{product.sourceTopic ? <span className="font-mono text-xs">{product.sourceTopic}</span> : "Not set"}</Fact>
                <Fact label="Masking tiers">{tiers.length ? tiers.map((t) => (t.fullAccess ? `${t.name} (full)` : t.name)).join(", ") : "None"}</Fact>
                <Fact label="Exports">
                  {current ? (
                    <span className="flex flex-wrap gap-x-3">
                      <a className="text-brand-700 hover:underline" href={`/api/products/${product.slug}/contract.yaml`}>
                        ODCS contract
                      </a>
                      <a className="text-brand-700 hover:underline" href={`/api/products/${product.slug}/asyncapi.yaml`}>
                        AsyncAPI
                      </a>
                    </span>
                  ) : (
                    "After the first version"
                  )}
                </Fact>
              </dl>
            </CardBody>
          </Card>
        </Section>

        <Section id="versions" title="Contract versions" description="The latest version of each major serves until its sunset date; a minor or patch replaces the previous version of its major at once.">
          <VersionsTable slug={product.slug} versions={versions} subscriptionsByMajor={subscriptionsByMajor} />
        </Section>

        <Section
          id="tiers"
          title="Masking tiers"
          description="What each tier delivers, per field. Changes are checked like at publishing (every personal field masked outside the full-access tier, for every version still serving) and reach the router at its next refresh."
        >
          <Card>
            <CardBody>
              {offer.tiers.length === 0 && !offer.canAdd ? (
                <p className="text-sm text-slate-600">{product.status === "draft" ? "Define the tiers in the publish wizard." : "No tiers."}</p>
              ) : (
                <TiersEditor productId={product.id} tiers={offer.tiers} fields={offer.fields} editable={offer.editable} canAdd={offer.canAdd} hasSource={Boolean(product.clusterId && product.sourceTopic)} />
              )}
            </CardBody>
          </Card>
        </Section>

        <Section id="plans" title="Plans" description="How consumers get a tier. Deactivating a plan stops new subscriptions on it; existing ones keep their plan.">
          <Card>
            <CardBody>
              <PlansEditor productId={product.id} plans={offer.plans} tiers={offer.tiers.map((t) => ({ name: t.name, fullAccess: t.fullAccess }))} editable={offer.editable} canAdd={offer.canAdd} />
            </CardBody>
          </Card>
        </Section>

        <Section id="new-version" title="New version" description="Upload, paste or edit a schema. Every change is checked against the current version in this product's compatibility mode.">
          <Card>
            <CardBody>
              {product.status === "published" && current ? (
                <NewVersionForm productId={product.id} currentVersion={current.version} currentFormat={current.schemaFormat} currentSchemaText={currentSchemaText} />
              ) : (
                <p className="text-sm text-slate-600">
                  {product.status === "draft"
                    ? "Finish and publish this draft in the publish wizard first."
                    : `New versions can only be added while the product is published; it is ${product.status}.`}
                </p>
              )}
            </CardBody>
          </Card>
        </Section>

        <Section id="lifecycle" title="Lifecycle">
          <Card>
            <CardBody>
              <LifecyclePanel
                productId={product.id}
                productName={product.name}
                productSlug={product.slug}
                status={product.status}
                sunsetAt={product.sunsetAt?.toISOString() ?? null}
                transitions={transitions}
                liveSubscriptions={liveSubscriptions}
              />
            </CardBody>
          </Card>
        </Section>

        <Section id="compatibility" title="Compatibility mode" description="Decides which schema changes are breaking: a breaking change needs a new major version, a changelog, and notifies subscribers.">
          <Card>
            <CardBody>
              <CompatibilityForm productId={product.id} mode={product.compatibility} />
            </CardBody>
          </Card>
        </Section>
      </div>
    </main>
  );
}
