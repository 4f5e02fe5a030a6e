"use client";

import { useMemo, useState, useTransition } from "react";
import { Alert, Button, Select, Textarea } from "@/components/ui";
import { inferSchemaAction } from "@/lib/publishing/actions";
import type { SchemaData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

const MAX_UPLOAD = 2_000_000;

/** Upload or paste JSON Schema / Avro, or infer a JSON Schema from the sampled messages; then edit it. */
export function SchemaStep({ productId, initial, hasSamples }: { productId: string; initial: SchemaData | null; hasSamples: boolean }) {
  const step = useStepSave(productId, "schema");
  const [format, setFormat] = useState<SchemaData["format"]>(initial?.format ?? "json-schema");
  const [origin, setOrigin] = useState<SchemaData["origin"]>(initial?.origin ?? "uploaded");
  const [text, setText] = useState(initial?.text ?? "");
  const [inferring, startInfer] = useTransition();
  const [inferNote, setInferNote] = useState<{ tone: "info" | "warning" | "error"; title: string; lines: string[] } | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);

  const parseError = useMemo(() => {
    if (!text.trim()) return null;
    try {
      JSON.parse(text);
      return null;
    } catch (e) {
      return `Not valid JSON yet: ${(e as Error).message}`;
    }
  }, [text]);

  function infer() {
    startInfer(async () => {
      const res = await inferSchemaAction({ productId });
      if (!res.ok) return setInferNote({ tone: "error", title: "Could not infer a schema", lines: [res.error.message] });
      if (!res.data.ok) return setInferNote({ tone: "warning", title: "Upload a schema instead", lines: [res.data.message] });
      setText(res.data.text);
      setFormat("json-schema");
      setOrigin("inferred");
      setInferNote({ tone: "info", title: `Inferred from ${res.data.sampleCount} sampled messages`, lines: ["Review types, required fields and enums below before saving.", ...res.data.warnings] });
    });
  }

  async function onFile(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_UPLOAD) return setUploadError("The file is larger than 2 MB.");
    setUploadError(null);
    const content = await file.text();
    setText(content);
    setOrigin("uploaded");
    if (file.name.endsWith(".avsc")) setFormat("avro");
  }

  const serverErrors = errorsFor(step.errors, "schema.text") ?? errorsFor(step.errors, "schema", true);
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end gap-4">
        <Select label="Format" name="format" value={format} onChange={(e) => setFormat(e.target.value as SchemaData["format"])} wrapperClassName="w-56">
          <option value="json-schema">JSON Schema</option>
          <option value="avro">Avro (.avsc)</option>
        </Select>
        <div>
          <label htmlFor="schema-file" className="block text-sm font-medium text-slate-700">
            Upload a schema file
          </label>
          <input
            id="schema-file"
            type="file"
            accept=".json,.avsc,application/json"
            onChange={(e) => onFile(e.target.files?.[0])}
            className="mt-1 block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-slate-50"
          />
        </div>
        <Button variant="secondary" onClick={infer} loading={inferring} disabled={!hasSamples}>
          Infer from sampled messages
        </Button>
      </div>
      {!hasSamples && <p className="text-sm text-slate-600">Sample the source topic (previous step) to infer a schema from its messages.</p>}
      {uploadError && <Alert tone="error">{uploadError}</Alert>}
      {inferNote && (
        <Alert tone={inferNote.tone === "error" ? "error" : inferNote.tone === "warning" ? "warning" : "info"} title={inferNote.title}>
          <ul className="list-disc pl-5">
            {inferNote.lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </Alert>
      )}
      <Textarea
        label={`Schema (${format === "avro" ? "Avro" : "JSON Schema"}${origin === "inferred" ? ", inferred" : ""})`}
        name="text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={22}
        spellCheck={false}
        className="font-mono text-xs"
        error={serverErrors ?? parseError ?? undefined}
        hint="Edit freely; the schema is checked when you save (validity, cycles, size, safe patterns)."
      />
      <StepActions productId={productId} step="schema" pending={step.pending} onSave={(advance) => step.save({ format, origin, text }, advance)} message={step.message} canSave={!parseError && Boolean(text.trim())} />
    </div>
  );
}
