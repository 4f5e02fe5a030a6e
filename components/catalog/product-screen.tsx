import Link from "next/link";
import { Suspense, type ReactNode } from "react";
import { Badge, buttonClasses, Card, CardBody, ClassificationBadge, SectionNav } from "@/components/ui";
import { describeQualityRule, formatBytesPerSecond, formatDuration, formatMoney, formatPlanPrice, formatRetention, humanize } from "@/lib/catalog/format";
import type { CatalogPlan } from "@/lib/catalog/queries";
import type { ProductView } from "@/lib/catalog/service";
import { SubscribeForm, type SubscribeTeamOption } from "@/components/subscriptions/subscribe-form";
import { ConsumersTable } from "@/components/products/consumers-table";
import { HealthPanel } from "@/components/products/health-panel";
import { ProductUsagePanel, UsagePanelSkeleton } from "@/components/usage/usage-panel";
import { SamplesPanel, SamplesSkeleton } from "@/components/products/samples-panel";
import type { ProductConsumer } from "@/lib/products/consumers";
import type { ProductHealth } from "@/lib/products/health";
import type { SampleSource } from "@/lib/products/samples";
import { MarkdownText } from "./markdown";
import { SchemaViewer } from "./schema-viewer";

function sectionsFor(ops: ProductOps | null, samples: boolean) {
  return [
    { id: "overview", label: "Overview" },
    { id: "schema", label: "Schema" },
    ...(samples ? [{ id: "samples", label: "Samples" }] : []),
    { id: "contract", label: "Contract" },
    { id: "plans", label: "Plans" },
    ...(ops ? [{ id: "health", label: "Health" }, { id: "usage", label: "Usage" }, { id: "consumers", label: `Consumers${ops.consumers.filter((c) => c.live).length ? ` (${ops.consumers.filter((c) => c.live).length})` : ""}` }] : []),
    { id: "contact", label: "Contact" },
  ];
}

/**
 * What only the owning team's members and admins see: stream health and the Consumers tab.
 * Null for everyone else (the page loads it through lib/products, which checks who asks).
 */
export type ProductOps = { health: ProductHealth; consumers: ProductConsumer[]; canRevoke: boolean };

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-2">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-heading`} className="scroll-mt-6">
      <h2 id={`${id}-heading`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-3">{children}</div>
    </section>
  );
}

/** Who is looking: null for a signed-out visitor of the public catalog. */
export type ProductViewer = { teams: SubscribeTeamOption[] } | null;

type SubscribeContext = { product: ProductView; viewer: ProductViewer };

function PlanCard({ plan, ctx }: { plan: CatalogPlan; ctx: SubscribeContext }) {
  return (
    <Card className="flex flex-col" role="group" aria-labelledby={`plan-${plan.id}`}>
      <CardBody className="flex flex-1 flex-col gap-3">
        <div>
          <h3 id={`plan-${plan.id}`} className="font-semibold text-slate-900">
            {plan.name}
          </h3>
          <p className="mt-1 text-xl font-semibold text-brand-900">{formatPlanPrice(plan)}</p>
        </div>
        {plan.description && <p className="text-sm text-slate-600">{plan.description}</p>}
        <dl className="space-y-1 text-sm">
          <div className="flex justify-between gap-2">
            <dt className="text-slate-500">Access</dt>
            <dd className="text-right">{plan.approval === "auto" ? "Instant (auto-approved)" : "Owner reviews each request"}</dd>
          </div>
          <div className="flex justify-between gap-2">
            <dt className="text-slate-500">Data tier</dt>
            <dd className="text-right">{plan.tier.fullAccess ? `${plan.tier.name} (unmasked)` : `${plan.tier.name} (masked)`}</dd>
          </div>
          <div className="flex justify-between gap-2">
            <dt className="text-slate-500">Partners</dt>
            <dd className="text-right">{plan.externalAllowed ? "Open to external organisations" : "Internal teams only"}</dd>
          </div>
          {plan.monthlyCapMinor != null && (
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Monthly cap</dt>
              <dd className="text-right">{formatMoney(plan.monthlyCapMinor, plan.currency)}</dd>
            </div>
          )}
          {plan.quotaBytesPerSec != null && (
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Throughput quota</dt>
              <dd className="text-right">{formatBytesPerSecond(plan.quotaBytesPerSec)}</dd>
            </div>
          )}
        </dl>
        {plan.tier.description && <p className="text-xs text-slate-500">{plan.tier.description}</p>}
        <div className="mt-auto pt-2">
          <PlanAction plan={plan} ctx={ctx} />
        </div>
      </CardBody>
    </Card>
  );
}

function PlanAction({ plan, ctx }: { plan: CatalogPlan; ctx: SubscribeContext }) {
  const { product, viewer } = ctx;
  if (!viewer) {
    return (
      <Link href={`/sign-in?callbackUrl=${encodeURIComponent(`/products/${product.slug}`)}`} className={buttonClasses("secondary", "md", "w-full")}>
        Sign in to subscribe
      </Link>
    );
  }
  if (product.status !== "published" || !product.contract) {
    return <p className="text-sm text-slate-500">{product.contract ? "New subscriptions are closed: the product is deprecated." : "Not open for subscription yet."}</p>;
  }
  return (
    <SubscribeForm
      productId={product.id}
      productName={product.name}
      plans={product.plans.map((p) => ({ id: p.id, name: p.name, approval: p.approval }))}
      teams={viewer.teams}
      purposes={product.contract.purposes}
      initialPlanId={plan.id}
    />
  );
}

export function ProductScreen({
  product,
  viewer = null,
  ops = null,
  samples = null,
}: {
  product: ProductView;
  viewer?: ProductViewer;
  ops?: ProductOps | null;
  /** Where the viewer's sample records come from; null hides the section. */
  samples?: SampleSource | null;
}) {
  const c = product.contract;
  const contact = c?.supportContact ?? product.contactEmail ?? product.team.contactEmail;
  const rules = Array.isArray(c?.qualityRules) ? (c.qualityRules as unknown[]) : [];
  const pii = product.piiCounts;
  return (
    <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link href="/catalog" className="hover:text-brand-700 hover:underline">
          Catalog
        </Link>
        <span aria-hidden="true"> / </span>
        <span>{product.domain}</span>
      </nav>

      <header className="mt-3 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{product.name}</h1>
          {product.summary && <p className="mt-1 max-w-3xl text-slate-600">{product.summary}</p>}
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <ClassificationBadge value={product.classification} />
            {product.status === "deprecated" ? (
              <Badge tone="orange">Deprecated{product.sunsetAt ? ` · sunset ${product.sunsetAt.toISOString().slice(0, 10)}` : ""}</Badge>
            ) : (
              <Badge tone="green">Published</Badge>
            )}
            <Badge tone="brand">{product.domain}</Badge>
            {product.tags.map((t) => (
              <Badge key={t}>{t}</Badge>
            ))}
          </div>
        </div>
      </header>

      {product.status === "deprecated" && (
        <p role="note" className="mt-4 rounded-md border border-orange-200 bg-orange-50 px-4 py-3 text-sm text-orange-900">
          This product is being phased out. Existing subscriptions keep working until its sunset date; ask the owners about a replacement.
        </p>
      )}

      <SectionNav items={sectionsFor(ops, samples != null)} className="mt-6" />

      <div className="mt-6 grid gap-8 lg:grid-cols-[1fr_18rem]">
        <div className="min-w-0 space-y-10">
          <Section id="overview" title="Overview">
            {product.description ? <MarkdownText>{product.description}</MarkdownText> : <p className="text-sm text-slate-600">No description yet.</p>}
          </Section>

          <Section id="schema" title="Schema">
            {c ? (
              <>
                <p className="mb-3 text-sm text-slate-600">
                  Contract version <span className="font-mono">{c.version}</span> ({c.schemaFormat === "avro" ? "Avro" : "JSON Schema"}).{" "}
                  {pii.direct + pii.quasi + pii.sensitive > 0
                    ? `${pii.direct} direct identifier${pii.direct === 1 ? "" : "s"}, ${pii.quasi} quasi-identifier${pii.quasi === 1 ? "" : "s"} and ${pii.sensitive} sensitive field${pii.sensitive === 1 ? "" : "s"}; masked tiers hide or transform them.`
                    : "No fields are tagged as personal data."}
                </p>
                <SchemaViewer nodes={product.schemaTree} />
              </>
            ) : (
              <p className="text-sm text-slate-600">No published contract yet.</p>
            )}
          </Section>

          {samples && (
            <Section id="samples" title="Sample records">
              <Suspense fallback={<SamplesSkeleton />}>
                <SamplesPanel source={samples} slug={product.slug} />
              </Suspense>
            </Section>
          )}

          <Section id="contract" title="Contract terms">
            {c ? (
              <div className="grid gap-6 md:grid-cols-2">
                <div>
                  <h3 className="text-sm font-semibold text-slate-900">Allowed purposes</h3>
                  {c.purposes.length ? (
                    <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
                      {c.purposes.map((p) => (
                        <li key={p}>{humanize(p)}</li>
                      ))}
                    </ul>
                  ) : (
                    <p className="mt-2 text-sm text-slate-600">Any purpose the owners approve.</p>
                  )}
                </div>
                <div>
                  <h3 className="text-sm font-semibold text-slate-900">Prohibited uses</h3>
                  {c.prohibitedUses.length ? (
                    <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
                      {c.prohibitedUses.map((p) => (
                        <li key={p}>{humanize(p)}</li>
                      ))}
                    </ul>
                  ) : (
                    <p className="mt-2 text-sm text-slate-600">None listed.</p>
                  )}
                </div>
                <div className="md:col-span-2">
                  <h3 className="text-sm font-semibold text-slate-900">Quality guarantees</h3>
                  {rules.length ? (
                    <ul className="mt-2 space-y-1 text-sm text-slate-700">
                      {rules.map((r, i) => (
                        <li key={i} className="flex gap-2">
                          <span aria-hidden="true" className="text-emerald-600">✓</span>
                          <span>{describeQualityRule(r)}</span>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="mt-2 text-sm text-slate-600">No quality rules are declared.</p>
                  )}
                  <p className="mt-2 text-xs text-slate-500">Records that break these rules are held back and counted as quality incidents; subscribers never receive them.</p>
                </div>
              </div>
            ) : (
              <p className="text-sm text-slate-600">No published contract yet.</p>
            )}
          </Section>

          <Section id="plans" title="Plans">
            {product.plans.length ? (
              <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
                {product.plans.map((p) => (
                  <PlanCard key={p.id} plan={p} ctx={{ product, viewer }} />
                ))}
              </div>
            ) : (
              <p className="text-sm text-slate-600">No plans are offered yet.</p>
            )}
          </Section>

          {ops && (
            <>
              <Section id="health" title="Stream health">
                <HealthPanel health={ops.health} />
              </Section>
              <Section id="usage" title="Usage">
                <Suspense fallback={<UsagePanelSkeleton />}>
                  <ProductUsagePanel productId={product.id} />
                </Suspense>
              </Section>
              <Section id="consumers" title="Consumers">
                <ConsumersTable consumers={ops.consumers} canRevoke={ops.canRevoke} />
              </Section>
            </>
          )}

          <Section id="contact" title="Who to contact">
            <p className="text-sm text-slate-700">
              Owned by <span className="font-medium">{product.team.name}</span> ({product.org.name}).
              {contact ? (
                <>
                  {" "}Questions about the data, access or the contract:{" "}
                  <a href={`mailto:${contact}`} className="font-medium text-brand-700 underline underline-offset-2">
                    {contact}
                  </a>
                  .
                </>
              ) : (
                " The team has not listed a contact address."
              )}
            </p>
          </Section>
        </div>

        <aside aria-label="At a glance">
          <Card>
            <CardBody>
              <dl className="divide-y divide-slate-100">
                <Fact label="Owner team">{product.team.name}</Fact>
                <Fact label="Organisation">{product.org.name}</Fact>
                <Fact label="Classification">
                  <ClassificationBadge value={product.classification} />
                </Fact>
                <Fact label="Status">{product.status === "deprecated" ? "Deprecated" : "Published"}</Fact>
                {c && <Fact label="Contract version">{c.version}</Fact>}
                <Fact label="Freshness SLA">{c?.freshnessSlaSeconds != null ? `within ${formatDuration(c.freshnessSlaSeconds)}` : "Not stated"}</Fact>
                <Fact label="Retention">{c?.retentionHours != null ? formatRetention(c.retentionHours) : "Not stated"}</Fact>
                <Fact label="Availability">{c?.availabilityTarget ?? "Not stated"}</Fact>
                {product.publishedAt && <Fact label="Published">{product.publishedAt.toISOString().slice(0, 10)}</Fact>}
                {contact && (
                  <Fact label="Contact">
                    <a href={`mailto:${contact}`} className="break-all text-brand-700 hover:underline">
                      {contact}
                    </a>
                  </Fact>
                )}
              </dl>
            </CardBody>
          </Card>
          {c && (
            <Card className="mt-4">
              <CardBody>
                <h2 className="text-xs font-medium uppercase tracking-wide text-slate-500">Export</h2>
                <ul className="mt-2 space-y-1 text-sm">
                  <li>
                    <a href={`/api/products/${product.slug}/contract.yaml?download=1`} className="font-medium text-brand-700 hover:underline" download>
                      Contract (ODCS YAML)
                    </a>
                  </li>
                  <li>
                    <a href={`/api/products/${product.slug}/asyncapi.yaml?download=1`} className="font-medium text-brand-700 hover:underline" download>
                      AsyncAPI
                    </a>
                  </li>
                </ul>
              </CardBody>
            </Card>
          )}
        </aside>
      </div>
    </main>
  );
}
