import type { Metadata } from "next";
import { ClusterForm, DeleteClusterButton, TestConnectionButton } from "@/components/admin/cluster-forms";
import { AdminNav } from "@/components/auth/admin-nav";
import { Badge, Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { listClusters } from "@/lib/admin/clusters";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Kafka clusters" };

const saslLabel = { none: "no SASL", plain: "PLAIN", "scram-sha-256": "SCRAM-SHA-256", "scram-sha-512": "SCRAM-SHA-512" } as const;

export default async function AdminClustersPage() {
  const me = await requireRole("admin");
  const clusters = await listClusters(getDb(), me);

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/clusters" />
      </div>

      <section aria-labelledby="clusters-heading" className="space-y-4">
        <h2 id="clusters-heading" className="text-lg font-semibold text-slate-900">
          Kafka cluster connections <span className="text-sm font-normal text-slate-500">({clusters.length})</span>
        </h2>
        {clusters.length === 0 && <EmptyState title="No clusters yet">Add the connection to your Kafka cluster below.</EmptyState>}
        {clusters.map((c) => (
          <Card key={c.id}>
            <section aria-label={`Cluster ${c.name}`}>
              <CardHeader className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <h3 className="flex items-center gap-2 text-base font-semibold text-slate-900">
                    {c.name} {c.embedded && <Badge tone="brand">embedded</Badge>}
                  </h3>
                  <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-600">
                    <dt className="text-slate-500">Bootstrap</dt>
                    <dd className="font-mono">{c.embedded ? "from the environment (KAFKA_BROKERS / BROKER_PORT)" : c.bootstrapServers}</dd>
                    <dt className="text-slate-500">SASL</dt>
                    <dd>
                      {c.embedded
                        ? "from the environment"
                        : `${saslLabel[c.saslMechanism]}${c.adminUsername ? ` as ${c.adminUsername}` : ""}${c.saslMechanism !== "none" ? (c.hasSecret ? " · password stored (encrypted)" : " · no password stored") : ""}`}
                    </dd>
                    <dt className="text-slate-500">TLS</dt>
                    <dd>{c.embedded ? "from the environment (KAFKA_SSL)" : c.tls ? `on${c.tlsCaCert ? ", private CA" : ", system CAs"}` : "off (plaintext)"}</dd>
                    <dt className="text-slate-500">Products</dt>
                    <dd>{c.productCount}</dd>
                  </dl>
                </div>
                {!c.embedded && c.productCount === 0 && <DeleteClusterButton clusterId={c.id} name={c.name} />}
              </CardHeader>
              <CardBody className="space-y-4">
                <TestConnectionButton clusterId={c.id} name={c.name} />
                {!c.embedded && (
                  <details>
                    <summary className="cursor-pointer text-sm font-medium text-brand-700">
                      Edit connection<span className="sr-only"> {c.name}</span>
                    </summary>
                    <div className="mt-3">
                      <ClusterForm cluster={c} />
                    </div>
                  </details>
                )}
              </CardBody>
            </section>
          </Card>
        ))}
      </section>

      <Card>
        <CardHeader>
          <CardTitle>Add a cluster</CardTitle>
          <p className="mt-1 text-sm text-slate-600">
            The admin principal needs to describe the cluster, create topics, and create and delete ACLs and SCRAM credentials. Test the connection after saving.
          </p>
        </CardHeader>
        <CardBody>
          <ClusterForm />
        </CardBody>
      </Card>
    </main>
  );
}
