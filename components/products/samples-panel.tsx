import Link from "next/link";
import { Alert, Badge, EmptyState, Skeleton } from "@/components/ui";
import { cn } from "@/components/ui/cn";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { formatUtc } from "@/lib/products/format";
import { readDeliverySamples, SAMPLE_LIMIT, type SampleResult, type SampleSource } from "@/lib/products/samples";

/** The URL parameter of the owner's tier selector. */
export const SAMPLE_TIER_PARAM = "sampleTier";

function Intro({ source }: { source: Extract<SampleSource, { kind: "tier" }> }) {
  const tier = (
    <span className="font-medium text-slate-900">
      {source.tier.name} {source.tier.fullAccess ? "(unmasked)" : "(masked)"}
    </span>
  );
  const text =
    source.basis === "subscription" ? (
      <>What your subscription{source.planName ? ` (${source.planName})` : ""} delivers: the {tier} tier.</>
    ) : source.basis === "default_plan" ? (
      <>What the {source.planName ?? "default"} plan would deliver to you: the {tier} tier. PII is masked exactly as it will be in your stream.</>
    ) : (
      <>What subscribers of the {tier} tier receive.</>
    );
  return <p className="text-sm text-slate-600">{text}</p>;
}

/** The owner's tier selector: plain links, so it works without JavaScript and each tier is linkable. */
function TierSelector({ source, slug }: { source: Extract<SampleSource, { kind: "tier" }>; slug: string }) {
  if (source.tiers.length < 2) return null;
  return (
    <nav aria-label="Sample tier" className="flex flex-wrap gap-2">
      {source.tiers.map((t) => {
        const current = t.id === source.tier.id;
        return (
          <Link
            key={t.id}
            href={`/products/${slug}?${SAMPLE_TIER_PARAM}=${encodeURIComponent(t.name)}#samples`}
            aria-current={current ? "true" : undefined}
            scroll={false}
            className={cn(
              "rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset",
              current ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
            )}
          >
            {t.name}
            {t.fullAccess && <span className="sr-only"> (unmasked)</span>}
          </Link>
        );
      })}
    </nav>
  );
}

export function SampleRecords({ result }: { result: SampleResult }) {
  if (result.status === "missing") {
    return (
      <EmptyState title="No records yet">
        The delivery topic for this tier has not been created yet: the router creates it when it first routes this product, or the
        provisioner when the first subscription of this tier starts.
      </EmptyState>
    );
  }
  if (result.status === "empty") {
    return <EmptyState title="No records yet">The delivery topic exists but holds no records yet. Samples appear once the source produces.</EmptyState>;
  }
  if (result.status === "error") {
    return (
      <Alert tone="warning" title="Samples are unavailable right now">
        {result.message} The rest of the page is unaffected.
      </Alert>
    );
  }
  return (
    <ol className="space-y-3" aria-label="Recent records, newest first">
      {result.records.map((r) => (
        <li key={`${r.partition}:${r.offset}`} className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-100 px-4 py-2 text-xs text-slate-500">
            <span>{formatUtc(r.timestamp)}</span>
            <span>
              key <span className="font-mono text-slate-700">{r.key ?? "null"}</span>
            </span>
            <span>
              partition {r.partition} · offset {r.offset}
            </span>
            {Object.entries(r.headers).map(([k, v]) => (
              <Badge key={k}>
                {k}: {v}
              </Badge>
            ))}
          </div>
          <pre className="max-h-72 overflow-auto px-4 py-3 font-mono text-xs leading-relaxed text-slate-800">{r.value}</pre>
        </li>
      ))}
    </ol>
  );
}

/**
 * Recent records of the tier the viewer would get, read from its delivery topic (never the
 * source). Async: render inside <Suspense fallback={<SamplesSkeleton />}> so a slow Kafka
 * never holds the page.
 */
export async function SamplesPanel({ source, slug }: { source: SampleSource; slug: string }) {
  if (source.kind === "signed_out") {
    return (
      <p className="text-sm text-slate-600">
        <Link href={`/sign-in?callbackUrl=${encodeURIComponent(`/products/${slug}#samples`)}`} className="font-medium text-brand-700 hover:underline">
          Sign in
        </Link>{" "}
        to see recent records of the tier you would receive.
      </p>
    );
  }
  if (source.kind === "unavailable") return <p className="text-sm text-slate-600">{source.reason}</p>;
  let result: SampleResult;
  try {
    result = await readDeliverySamples(kafkaConnectionFromEnv(), source.topic, { limit: SAMPLE_LIMIT });
  } catch {
    result = { status: "error", topic: source.topic, message: "Kafka is not configured for reading samples." };
  }
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <Intro source={source} />
        <TierSelector source={source} slug={slug} />
      </div>
      <SampleRecords result={result} />
      <p className="text-xs text-slate-500">
        The last {SAMPLE_LIMIT} records of <span className="font-mono">{source.topic}</span>, refreshed every few seconds on reload.
      </p>
    </div>
  );
}

export function SamplesSkeleton() {
  return (
    <div role="status" aria-label="Loading sample records" className="space-y-3">
      <Skeleton className="h-4 w-2/3" />
      <Skeleton className="h-24 w-full" />
      <Skeleton className="h-24 w-full" />
    </div>
  );
}
