"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge, Button, Checkbox, ConfirmButton, Input, Select, Textarea } from "@/components/ui";
import { createClusterAction, deleteClusterAction, testClusterConnectionAction, updateClusterAction } from "@/lib/admin/actions";
import type { ConnectionReport } from "@/lib/admin/connection-test";
import type { ActionResult } from "@/lib/errors";
import { FormStatus } from "./form-status";
import { useActionForm } from "./use-action-form";

type Mechanism = "none" | "plain" | "scram-sha-256" | "scram-sha-512";
export type ClusterView = {
  id: string;
  name: string;
  bootstrapServers: string;
  saslMechanism: Mechanism;
  adminUsername: string | null;
  hasSecret: boolean;
  tls: boolean;
  tlsCaCert: string | null;
  embedded: boolean;
};

/** Create (no cluster) or edit. The secret field is write-only: never pre-filled, empty keeps it. */
export function ClusterForm({ cluster }: { cluster?: ClusterView }) {
  const [mechanism, setMechanism] = useState<Mechanism>(cluster?.saslMechanism ?? "scram-sha-512");
  const [tls, setTls] = useState<boolean>(cluster?.tls ?? true);
  const action: (form: FormData) => Promise<ActionResult<unknown>> = cluster ? updateClusterAction : createClusterAction;
  const f = useActionForm(action, { reset: !cluster, success: () => (cluster ? "Cluster saved." : "Cluster added.") });
  const p = cluster ? `-${cluster.id}` : "";
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={cluster ? `Edit cluster ${cluster.name}` : "New cluster"} className="grid gap-4 sm:grid-cols-2">
      {cluster && <input type="hidden" name="clusterId" value={cluster.id} />}
      <Input id={`cl-name${p}`} name="name" label="Name" defaultValue={cluster?.name} required error={f.fieldErrors.name} />
      <Input
        id={`cl-servers${p}`}
        name="bootstrapServers"
        label="Bootstrap servers"
        placeholder="b-1.kafka.example:9096, b-2.kafka.example:9096"
        defaultValue={cluster?.bootstrapServers}
        required
        error={f.fieldErrors.bootstrapServers}
      />
      <Select id={`cl-sasl${p}`} name="saslMechanism" label="SASL mechanism" value={mechanism} onChange={(e) => setMechanism(e.target.value as Mechanism)} error={f.fieldErrors.saslMechanism}>
        <option value="none">None (no authentication)</option>
        <option value="plain">PLAIN</option>
        <option value="scram-sha-256">SCRAM-SHA-256</option>
        <option value="scram-sha-512">SCRAM-SHA-512</option>
      </Select>
      {mechanism !== "none" && (
        <>
          <Input id={`cl-user${p}`} name="adminUsername" label="Admin username" defaultValue={cluster?.adminUsername ?? ""} autoComplete="off" error={f.fieldErrors.adminUsername} />
          <Input
            id={`cl-secret${p}`}
            name="adminSecret"
            type="password"
            label="Admin password"
            autoComplete="new-password"
            placeholder={cluster?.hasSecret ? "•••••••• (stored; leave empty to keep)" : ""}
            hint="Write-only: encrypted at rest (AES-256-GCM) and never shown again."
            error={f.fieldErrors.adminSecret}
          />
          {cluster?.hasSecret && <Checkbox id={`cl-clear${p}`} name="clearSecret" label="Remove the stored password" wrapperClassName="sm:pt-7" />}
        </>
      )}
      <Checkbox
        id={`cl-tls${p}`}
        name="tls"
        label="Use TLS (SSL / SASL_SSL listener)"
        hint="The brokers' certificates are always verified."
        checked={tls}
        onChange={(e) => setTls(e.target.checked)}
        wrapperClassName="sm:col-span-2"
        error={f.fieldErrors.tls}
      />
      {tls && (
        <Textarea
          id={`cl-ca${p}`}
          name="tlsCaCert"
          label="CA certificate (optional)"
          placeholder="-----BEGIN CERTIFICATE-----"
          hint="PEM of a private CA that signed the brokers' certificates; leave empty for publicly trusted ones."
          defaultValue={cluster?.tlsCaCert ?? ""}
          spellCheck={false}
          className="font-mono text-xs"
          wrapperClassName="sm:col-span-2"
          error={f.fieldErrors.tlsCaCert}
        />
      )}
      <div className="space-y-3 sm:col-span-2">
        <FormStatus error={f.formError} message={f.message} />
        <Button type="submit" loading={f.pending} variant={cluster ? "secondary" : "primary"}>
          {cluster ? "Save cluster" : "Add cluster"}
        </Button>
      </div>
    </form>
  );
}

const stepTone = { ok: "green", failed: "red", skipped: "neutral" } as const;
const stepText = { ok: "works", failed: "failed", skipped: "not tried" } as const;

export function TestConnectionButton({ clusterId, name }: { clusterId: string; name: string }) {
  const [pending, setPending] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <Button
        size="sm"
        variant="secondary"
        loading={pending}
        onClick={async () => {
          setPending(true);
          setError(null);
          const r = await testClusterConnectionAction({ clusterId });
          setPending(false);
          if (r.ok) setReport(r.data);
          else setError(r.error.message);
        }}
      >
        {pending ? "Testing…" : "Test connection"}
      </Button>
      <div aria-live="polite">
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        {report && (
          <section aria-label={`Connection test of ${name}`} className="rounded-md border border-slate-200 bg-slate-50 p-3">
            <p className={report.ok ? "text-sm font-medium text-emerald-800" : "text-sm font-medium text-red-800"}>
              {report.ok ? "Everything the platform needs works." : "Something does not work yet; see the first failed step."}
            </p>
            <ol className="mt-2 space-y-1.5 text-sm">
              {report.steps.map((s) => (
                <li key={s.id} className="flex gap-2">
                  <Badge tone={stepTone[s.status]} className="w-20 justify-center">
                    {stepText[s.status]}
                  </Badge>
                  <span>
                    <span className="font-medium text-slate-900">{s.label}:</span> <span className="text-slate-700">{s.detail}</span>
                  </span>
                </li>
              ))}
            </ol>
          </section>
        )}
      </div>
    </div>
  );
}

export function DeleteClusterButton({ clusterId, name }: { clusterId: string; name: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Remove"
      ariaLabel={`Remove cluster ${name}`}
      question="Remove this connection?"
      confirmLabel="Yes, remove"
      onConfirm={async () => {
        const r = await deleteClusterAction({ clusterId });
        if (!r.ok) return r.error.message;
        router.refresh();
        return null;
      }}
    />
  );
}
