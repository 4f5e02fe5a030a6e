"use client";

import { useState } from "react";
import { Alert, Button } from "@/components/ui";

export type ShownCredential = {
  username: string;
  password: string;
  mechanism: string;
  bootstrap: string[];
  topic: string;
  groupPrefix: string;
  snippets: { kafkajs: string; javaProperties: string; python: string; kcat: string };
  previousRetiresAt: Date | null;
};

const tabs = [
  { key: "kafkajs", label: "kafkajs" },
  { key: "javaProperties", label: "Java properties" },
  { key: "python", label: "Python" },
  { key: "kcat", label: "kcat" },
] as const;

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      variant="secondary"
      aria-label={`Copy ${label}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          // Clipboard access can be refused (insecure origin, permissions); the text stays selectable.
          setCopied(false);
        }
      }}
    >
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-wrap items-center gap-2 py-1.5">
      <dt className="w-32 shrink-0 text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="min-w-0 flex-1 break-all font-mono text-sm text-slate-900">{value}</dd>
      <CopyButton text={value} label={label} />
    </div>
  );
}

/** The credential as revealed once: it lives only in this component's state, never re-fetched. */
export function CredentialPanel({ credential, onClose }: { credential: ShownCredential; onClose: () => void }) {
  const [tab, setTab] = useState<(typeof tabs)[number]["key"]>("kafkajs");
  const snippet = credential.snippets[tab];
  return (
    <section aria-label="Connection credentials" className="mt-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4">
      <Alert tone="warning" title="Copy the password now">
        It is shown only this once and cannot be displayed again. If you lose it, rotate the credentials.
        {credential.previousRetiresAt && ` The previous credentials keep working until ${new Date(credential.previousRetiresAt).toLocaleString()}.`}
      </Alert>
      <dl className="divide-y divide-slate-200">
        <Row label="Username" value={credential.username} />
        <Row label="Password" value={credential.password} />
        <Row label="Mechanism" value={credential.mechanism} />
        <Row label="Bootstrap" value={credential.bootstrap.join(",")} />
        <Row label="Topic" value={credential.topic} />
        <Row label="Group prefix" value={credential.groupPrefix} />
      </dl>
      <div>
        <div role="tablist" aria-label="Connection snippets" className="flex flex-wrap gap-1 border-b border-slate-200">
          {tabs.map((t) => (
            <button
              key={t.key}
              type="button"
              role="tab"
              id={`tab-${t.key}`}
              aria-selected={tab === t.key}
              aria-controls="snippet-panel"
              onClick={() => setTab(t.key)}
              className={
                tab === t.key
                  ? "rounded-t-md border border-b-0 border-slate-200 bg-white px-3 py-1.5 text-sm font-medium text-brand-800"
                  : "px-3 py-1.5 text-sm text-slate-600 hover:text-slate-900"
              }
            >
              {t.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="snippet-panel" aria-labelledby={`tab-${tab}`} className="relative rounded-b-md border border-t-0 border-slate-200 bg-white">
          <div className="absolute right-2 top-2">
            <CopyButton text={snippet} label={`${tabs.find((t) => t.key === tab)!.label} snippet`} />
          </div>
          <pre className="overflow-x-auto p-3 pr-20 text-xs leading-relaxed text-slate-800">
            <code>{snippet}</code>
          </pre>
        </div>
      </div>
      <Button variant="ghost" size="sm" onClick={onClose}>
        I have saved it — hide
      </Button>
    </section>
  );
}
