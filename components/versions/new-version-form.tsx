"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition, type ChangeEvent } from "react";
import { Alert, Badge, Button, Input, PiiBadge, Select, Textarea } from "@/components/ui";
import { previewVersionAction, publishVersionAction } from "@/lib/versions/actions";
import type { VersionPreview } from "@/lib/versions/service";
import { DiffView } from "./diff-view";

type Source = "current" | "paste" | "upload";
type Pii = "none" | "direct" | "quasi" | "sensitive";
type Errors = Record<string, string[]>;

const PII_LABELS: Record<Pii, string> = { none: "Not personal", direct: "Direct identifier", quasi: "Quasi-identifier", sensitive: "Sensitive" };
const MAX_UPLOAD = 2_000_000;

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function majorOf(version: string): number | null {
  const m = /^(\d+)\./.exec(version.trim());
  return m ? Number(m[1]) : null;
}

export type NewVersionFormProps = {
  productId: string;
  currentVersion: string;
  currentFormat: "json-schema" | "avro";
  currentSchemaText: string;
};

/** Propose a schema, see every change against the current version, then publish it as a new version. */
export function NewVersionForm({ productId, currentVersion, currentFormat, currentSchemaText }: NewVersionFormProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [source, setSource] = useState<Source>("current");
  const [format, setFormat] = useState(currentFormat);
  const [schemaText, setSchemaText] = useState(currentSchemaText);
  const [fileName, setFileName] = useState<string | null>(null);
  const [preview, setPreview] = useState<VersionPreview | null>(null);
  const [version, setVersion] = useState("");
  const [changelog, setChangelog] = useState("");
  const [sunset, setSunset] = useState(inDays(90));
  const [docs, setDocs] = useState<Record<string, { pii: Pii; description: string }>>({});
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  const currentMajor = majorOf(currentVersion) ?? 0;
  const newMajor = (majorOf(version) ?? 0) > currentMajor;

  function invalidate() {
    setPreview(null);
    setErrors({});
  }

  function chooseSource(next: Source) {
    setSource(next);
    setFileName(null);
    setSchemaText(next === "current" ? currentSchemaText : "");
    if (next === "current") setFormat(currentFormat);
    invalidate();
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    invalidate();
    if (!file) return;
    if (file.size > MAX_UPLOAD) {
      setErrors({ schemaText: ["The file is larger than 2 MB."] });
      return;
    }
    setFileName(file.name);
    if (file.name.endsWith(".avsc")) setFormat("avro");
    setSchemaText(await file.text());
  }

  function fail(err: { message: string; fieldErrors?: Errors }) {
    setErrors(err.fieldErrors ?? {});
    if (!err.fieldErrors || err.fieldErrors._form) setMessage({ tone: "error", text: err.message });
  }

  function check() {
    setMessage(null);
    setErrors({});
    startTransition(async () => {
      const res = await previewVersionAction({ productId, schemaFormat: format, schemaText });
      if (!res.ok) {
        setPreview(null);
        fail(res.error);
        return;
      }
      setPreview(res.data);
      setVersion(res.data.proposedVersion);
      // Each new field starts from its suggested tag; the owner confirms or changes it.
      setDocs(Object.fromEntries(res.data.newFields.map((f) => [f.path, { pii: f.suggestedPii as Pii, description: "" }])));
    });
  }

  function publish() {
    setMessage(null);
    setErrors({});
    startTransition(async () => {
      const res = await publishVersionAction({
        productId,
        schemaFormat: format,
        schemaText,
        version,
        changelog: changelog || undefined,
        previousSunsetAt: newMajor && sunset ? new Date(`${sunset}T00:00:00Z`) : undefined,
        fieldDocs: Object.fromEntries(Object.entries(docs).map(([p, d]) => [p, { pii: d.pii, description: d.description || undefined }])),
      });
      if (!res.ok) {
        fail(res.error);
        return;
      }
      const d = res.data;
      const parts = [`Version ${d.version} is published.`];
      if (d.deprecated.length) parts.push(`Superseded: ${d.deprecated.map((x) => x.version).join(", ")}.`);
      if (d.notified) parts.push(`${d.notified} subscriber${d.notified === 1 ? " was" : "s were"} notified.`);
      if (d.tiersUpdated.length) parts.push(`New personal fields are dropped in tier${d.tiersUpdated.length === 1 ? "" : "s"} ${d.tiersUpdated.join(", ")}.`);
      setMessage({ tone: "success", text: parts.join(" ") });
      setPreview(null);
      setChangelog("");
      setSource("current");
      router.refresh();
    });
  }

  const breaking = preview ? preview.breakingCount > 0 : false;
  const needsChangelog = breaking || newMajor;

  return (
    <div className="space-y-5">
      {message && (
        <Alert tone={message.tone} title={message.tone === "error" ? "Not published" : undefined}>
          {message.text}
          {errors._form && (
            <ul className="mt-1 list-disc pl-5">
              {errors._form.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}

      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Where the new schema comes from</legend>
        <div className="mt-2 flex flex-wrap gap-4 text-sm" role="radiogroup">
          {(
            [
              ["current", `Edit version ${currentVersion}`],
              ["paste", "Paste a schema"],
              ["upload", "Upload a file"],
            ] as [Source, string][]
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-2">
              <input type="radio" name="source" value={value} checked={source === value} onChange={() => chooseSource(value)} className="h-4 w-4 border-slate-300 text-brand-600" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-[14rem_1fr]">
        <Select
          id="schema-format"
          label="Schema format"
          value={format}
          onChange={(e) => {
            setFormat(e.target.value as "json-schema" | "avro");
            invalidate();
          }}
        >
          <option value="json-schema">JSON Schema</option>
          <option value="avro">Avro (.avsc)</option>
        </Select>
        {source === "upload" && (
          <Input
            id="schema-file"
            type="file"
            label="Schema file"
            accept=".json,.avsc,application/json"
            hint={fileName ? `Loaded ${fileName}; you can still edit it below.` : "A JSON Schema (.json) or Avro schema (.avsc), up to 2 MB."}
            onChange={onFile}
            className="py-1.5"
          />
        )}
      </div>

      <Textarea
        id="schema-text"
        label="Schema"
        rows={14}
        spellCheck={false}
        className="font-mono text-xs"
        value={schemaText}
        placeholder={format === "avro" ? '{ "type": "record", "name": "Event", "fields": [ … ] }' : '{ "type": "object", "properties": { … } }'}
        onChange={(e) => {
          setSchemaText(e.target.value);
          invalidate();
        }}
        error={errors.schemaText}
      />

      <div className="flex items-center gap-3">
        <Button variant={preview ? "secondary" : "primary"} loading={pending && !preview} disabled={pending} onClick={check}>
          Check changes
        </Button>
        {!preview && <span className="text-sm text-slate-500">Compares with version {currentVersion} and proposes the next version number.</span>}
      </div>

      {preview && (
        <section aria-labelledby="changes-heading" className="space-y-5 border-t border-slate-200 pt-5">
          <div>
            <h3 id="changes-heading" className="text-base font-semibold text-slate-900">
              Changes from {preview.currentVersion}
            </h3>
            <p className="mt-1 text-sm text-slate-600">
              {preview.changes.length} change{preview.changes.length === 1 ? "" : "s"},{" "}
              <strong className={breaking ? "text-red-700" : undefined}>
                {preview.breakingCount} breaking
              </strong>{" "}
              in <Badge tone="brand">{preview.mode}</Badge> compatibility mode. These changes need at least a <strong>{preview.requiredBump}</strong> version.
            </p>
          </div>
          <DiffView changes={preview.changes} mode={preview.mode} />

          {preview.droppedRules.length > 0 && (
            <Alert tone="warning" title="Quality rules on removed fields are left out">
              {preview.droppedRules.map((r) => `${r.id} (${r.field})`).join(", ")}
            </Alert>
          )}
          {preview.blockers.length > 0 && (
            <Alert tone="error" title="Fix these before publishing">
              <ul className="list-disc pl-5">
                {preview.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </Alert>
          )}

          {preview.newFields.length > 0 && (
            <div>
              <h3 className="text-base font-semibold text-slate-900">New fields: review their personal-data tags</h3>
              <p className="mt-1 text-sm text-amber-800">
                Each new field starts from the suggested tag; confirm or change it before publishing. Personal fields are dropped in every masked tier until you change the tier.
              </p>
              <ul className="mt-3 space-y-3">
                {preview.newFields.map((f) => {
                  const doc = docs[f.path] ?? { pii: "none", description: "" };
                  const id = f.path.replace(/[^a-zA-Z0-9]/g, "-");
                  return (
                    <li key={f.path} className="grid gap-3 rounded-md border border-slate-200 bg-white p-3 sm:grid-cols-[1fr_12rem_1fr]">
                      <div className="text-sm">
                        <span className="font-mono text-xs text-slate-900">{f.path}</span> <span className="text-slate-500">({f.type})</span>
                        {f.suggestedPii !== "none" && (
                          <p className="mt-1 text-xs text-slate-600">
                            Suggested: <PiiBadge kind={f.suggestedPii} compact /> {f.suggestion}
                          </p>
                        )}
                      </div>
                      <Select
                        id={`pii-${id}`}
                        label={<span className="sr-only">Personal data of {f.path}</span>}
                        value={doc.pii}
                        onChange={(e) => setDocs({ ...docs, [f.path]: { ...doc, pii: e.target.value as Pii } })}
                        error={errors[`fieldDocs.${f.path}.pii`]}
                      >
                        {(Object.keys(PII_LABELS) as Pii[]).map((p) => (
                          <option key={p} value={p}>
                            {PII_LABELS[p]}
                          </option>
                        ))}
                      </Select>
                      <Input
                        id={`desc-${id}`}
                        label={<span className="sr-only">Description of {f.path}</span>}
                        placeholder="Description"
                        value={doc.description}
                        onChange={(e) => setDocs({ ...docs, [f.path]: { ...doc, description: e.target.value } })}
                      />
                    </li>
                  );
                })}
              </ul>
            </div>
          )}

          <div className="grid gap-4 sm:grid-cols-2">
            <Input
              id="version"
              label="Version"
              value={version}
              onChange={(e) => setVersion(e.target.value)}
              hint={`Proposed from the changes: ${preview.proposedVersion}. You may choose a bigger bump, not a smaller one.`}
              error={errors.version}
            />
            {newMajor && (
              <Input
                id="previous-sunset"
                type="date"
                label={`Sunset of version ${currentMajor}.x`}
                min={inDays(1)}
                value={sunset}
                onChange={(e) => setSunset(e.target.value)}
                hint="Subscribers on the old major keep receiving it until this date (default: 90 days)."
                error={errors.previousSunsetAt}
              />
            )}
          </div>
          <Textarea
            id="changelog"
            label={needsChangelog ? "Changelog (required)" : "Changelog (optional)"}
            rows={3}
            value={changelog}
            onChange={(e) => setChangelog(e.target.value)}
            hint={needsChangelog ? "Subscribers read this in their notification: what changed and what they need to do." : "Shown with the version."}
            error={errors.changelog}
          />
          {(breaking || newMajor) && (
            <p className="text-sm text-slate-600">
              {preview.subscriberCount > 0
                ? `${preview.subscriberCount} subscriber${preview.subscriberCount === 1 ? "" : "s"} will be notified in the app.`
                : "No team subscribes to this product yet, so no one needs to be notified."}
            </p>
          )}
          <div className="flex gap-3">
            <Button loading={pending} disabled={preview.blockers.length > 0} onClick={publish}>
              Publish version {version || preview.proposedVersion}
            </Button>
            <Button variant="ghost" disabled={pending} onClick={invalidate}>
              Discard
            </Button>
          </div>
        </section>
      )}
    </div>
  );
}
