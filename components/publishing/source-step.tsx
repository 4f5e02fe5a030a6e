"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useTransition } from "react";
import { Alert, Button, Select, Skeleton } from "@/components/ui";
import { listTopicsAction, sampleSourceAction } from "@/lib/publishing/actions";
import type { SampleMessage, SourceData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";

type Topic = { name: string; partitions: number };

/** Cluster, then a live topic (platform topics hidden), then its partition count and newest messages. */
export function SourceStep({
  productId,
  clusters,
  initial,
  initialWarnings = [],
}: {
  productId: string;
  clusters: { id: string; name: string; embedded: boolean }[];
  initial: SourceData | null;
  /** What the saved sample means for publishing (e.g. no JSON record), from the server. */
  initialWarnings?: string[];
}) {
  const router = useRouter();
  const [clusterId, setClusterId] = useState(initial?.clusterId ?? clusters[0]?.id ?? "");
  const [topics, setTopics] = useState<Topic[] | null>(null);
  const [topicsError, setTopicsError] = useState<string | null>(null);
  const [topic, setTopic] = useState(initial?.topic ?? "");
  const [saved, setSaved] = useState<{ topic: string; clusterId: string; partitions: number; samples: SampleMessage[] } | null>(
    initial ? { topic: initial.topic, clusterId: initial.clusterId, partitions: initial.partitions ?? 0, samples: initial.samples } : null,
  );
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>(initialWarnings);
  const [loadingTopics, startTopics] = useTransition();
  const [sampling, startSample] = useTransition();

  const loadTopics = useCallback(
    (id: string) => {
      if (!id) return;
      startTopics(async () => {
        const res = await listTopicsAction({ productId, clusterId: id });
        if (res.ok) {
          setTopics(res.data);
          setTopicsError(null);
        } else {
          setTopics(null);
          setTopicsError(res.error.message);
        }
      });
    },
    [productId],
  );

  useEffect(() => loadTopics(clusterId), [clusterId, loadTopics]);

  function sample(advance: boolean) {
    if (!topic) {
      setSampleError("Choose a topic first.");
      return;
    }
    startSample(async () => {
      const res = await sampleSourceAction({ productId, clusterId, topic });
      if (!res.ok) {
        setSampleError(Object.values(res.error.fieldErrors ?? {})[0]?.[0] ?? res.error.message);
        return;
      }
      setSampleError(null);
      setWarnings(res.data.warnings.map((w) => w.message));
      setSaved({ topic, clusterId, partitions: res.data.partitions, samples: res.data.samples });
      if (advance) router.push(`/owner/publish/${productId}/schema`);
    });
  }

  function onSave(advance: boolean) {
    if (saved && saved.topic === topic && saved.clusterId === clusterId) {
      if (advance) router.push(`/owner/publish/${productId}/schema`);
      return;
    }
    sample(advance);
  }

  const current = topics?.find((t) => t.name === topic);
  return (
    <div className="space-y-5">
      {clusters.length === 0 ? (
        <Alert tone="warning" title="No Kafka cluster is registered">
          An admin adds cluster connections; the embedded cluster is registered by the seed.
        </Alert>
      ) : (
        <Select label="Cluster" name="clusterId" value={clusterId} onChange={(e) => setClusterId(e.target.value)}>
          {clusters.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.embedded ? " (embedded)" : ""}
            </option>
          ))}
        </Select>
      )}

      <div>
        {loadingTopics && !topics ? (
          <div aria-busy="true" aria-label="Loading topics" className="space-y-2">
            <Skeleton className="h-10 w-full" />
          </div>
        ) : topicsError ? (
          <Alert tone="error" title="Could not list topics">
            {topicsError}{" "}
            <button type="button" className="font-medium underline" onClick={() => loadTopics(clusterId)}>
              Try again
            </button>
          </Alert>
        ) : topics && topics.length === 0 ? (
          <Alert tone="info" title="No topics on this cluster">
            Produce to a topic first; Tributary&apos;s own delivery, DLQ and internal topics are not offered as sources.
          </Alert>
        ) : (
          <Select
            label="Source topic"
            name="topic"
            value={topic}
            onChange={(e) => setTopic(e.target.value)}
            hint={current ? `${current.partitions} partition${current.partitions === 1 ? "" : "s"}` : "Live topics of the cluster; Tributary's own topics are hidden."}
            error={sampleError ?? undefined}
          >
            <option value="">Choose a topic</option>
            {(topics ?? (topic ? [{ name: topic, partitions: saved?.partitions ?? 0 }] : [])).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} ({t.partitions} partition{t.partitions === 1 ? "" : "s"})
              </option>
            ))}
          </Select>
        )}
        <div className="mt-3">
          <Button variant="secondary" onClick={() => sample(false)} loading={sampling} disabled={!topic}>
            {saved?.topic === topic ? "Sample again" : "Sample recent messages"}
          </Button>
        </div>
      </div>

      {sampling && (
        <p role="status" className="text-sm text-slate-600">
          Reading the newest messages of {topic}…
        </p>
      )}
      {saved && saved.topic === topic && (
        <section aria-labelledby="sample-heading" className="rounded-lg border border-slate-200 bg-white">
          <header className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
            <h2 id="sample-heading" className="text-sm font-semibold text-slate-900">
              Recent messages of {saved.topic}
            </h2>
            <span className="text-xs text-slate-500">
              {saved.partitions} partition{saved.partitions === 1 ? "" : "s"} · {saved.samples.length} sampled · visible to owners only
            </span>
          </header>
          {saved.samples.length === 0 ? (
            <p className="px-4 py-6 text-sm text-slate-600">The topic has no messages yet. You can still upload a schema in the next step.</p>
          ) : (
            <ul className="max-h-96 divide-y divide-slate-100 overflow-y-auto">
              {saved.samples.slice(0, 10).map((m) => (
                <li key={`${m.partition}-${m.offset}`} className="px-4 py-2">
                  <p className="text-xs text-slate-500">
                    partition {m.partition} · offset {m.offset} · {m.timestamp}
                    {m.key ? ` · key ${m.key.slice(0, 40)}` : ""}
                  </p>
                  <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all font-mono text-xs text-slate-800">{(m.value ?? "(no value)").slice(0, 600)}</pre>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {saved && saved.topic === topic && warnings.length > 0 && (
        <Alert tone="warning" title="About this topic's messages">
          <ul className="list-disc space-y-1 pl-5">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Alert>
      )}
      <StepActions productId={productId} step="source" pending={sampling} onSave={onSave} canSave={Boolean(topic)} />
    </div>
  );
}
