"use client";

import { Alert, Button } from "@/components/ui";
import { CopyButton } from "./copy-button";
import { SnippetTabs, type Snippets } from "./snippet-tabs";

export type ShownCredential = {
  username: string;
  password: string;
  mechanism: string;
  bootstrap: string[];
  topic: string;
  groupPrefix: string;
  snippets: Snippets;
  previousRetiresAt: Date | null;
};

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
      <SnippetTabs snippets={credential.snippets} label="Connection snippets with the password" />
      <Button variant="ghost" size="sm" onClick={onClose}>
        I have saved it — hide
      </Button>
    </section>
  );
}
