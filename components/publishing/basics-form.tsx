"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { MarkdownText } from "@/components/catalog/markdown";
import { Input, Select, Textarea } from "@/components/ui";
import { checkSlugAction, createDraftAction } from "@/lib/publishing/actions";
import { CLASSIFICATIONS, type BasicsData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave, type StepErrors } from "./use-step-save";

function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

type Props = {
  productId: string | null;
  teams: { id: string; name: string }[];
  initial: Partial<BasicsData>;
  done: string[];
};

/** Name, slug (checked as you type), summary, markdown description with a safe preview, domain, tags, classification. */
export function BasicsForm({ productId, teams, initial }: Props) {
  const router = useRouter();
  const step = useStepSave(productId ?? "", "basics");
  const [creating, startCreate] = useTransition();
  const [createErrors, setCreateErrors] = useState<StepErrors>({});
  const [createMessage, setCreateMessage] = useState<string | null>(null);
  const [v, setV] = useState({
    teamId: initial.teamId ?? teams[0]?.id ?? "",
    name: initial.name ?? "",
    slug: initial.slug ?? "",
    summary: initial.summary ?? "",
    description: initial.description ?? "",
    domain: initial.domain ?? "",
    tags: (initial.tags ?? []).join(", "),
    classification: initial.classification ?? "internal",
  });
  const [slugTouched, setSlugTouched] = useState(Boolean(initial.slug));
  const [slugState, setSlugState] = useState<{ available: boolean; message: string } | null>(null);
  const [tab, setTab] = useState<"write" | "preview">("write");

  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    setV((old) => ({ ...old, [k]: value, ...(k === "name" && !slugTouched ? { slug: slugify(value) } : {}) }));
  };

  useEffect(() => {
    if (!v.slug) return;
    const timer = setTimeout(async () => {
      const res = await checkSlugAction({ slug: v.slug, productId: productId ?? undefined });
      if (res.ok) setSlugState(res.data);
    }, 350);
    return () => clearTimeout(timer);
  }, [v.slug, productId]);

  const data = { ...v, tags: v.tags.split(",").map((t) => t.trim()).filter(Boolean) };
  const errors = productId ? step.errors : createErrors;
  const err = (k: string) => errorsFor(errors, `basics.${k}`);

  function onSave(advance: boolean) {
    if (productId) return step.save(data, advance);
    startCreate(async () => {
      const res = await createDraftAction({ basics: data });
      if (!res.ok) {
        setCreateErrors(res.error.fieldErrors ?? {});
        setCreateMessage(res.error.message);
        return;
      }
      router.push(`/owner/publish/${res.data.productId}/${res.data.next}`);
    });
  }

  const slugError = err("slug") ?? (slugState && !slugState.available ? slugState.message : undefined);
  return (
    <form
      aria-label="Basics"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(true);
      }}
      className="space-y-5"
    >
      {teams.length > 1 && (
        <Select label="Owning team" name="teamId" value={v.teamId} onChange={set("teamId")} error={err("teamId")}>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      )}
      <div className="grid gap-5 sm:grid-cols-2">
        <Input label="Name" name="name" value={v.name} onChange={set("name")} error={err("name")} placeholder="Cell tower KPIs" required />
        <Input
          label="Slug"
          name="slug"
          value={v.slug}
          onChange={(e) => {
            setSlugTouched(true);
            set("slug")(e);
          }}
          error={slugError}
          hint={!slugError ? (slugState?.available ? `✓ ${slugState.message} The product will live at /products/${v.slug}.` : "Part of the product's address and its Kafka topic names.") : undefined}
          required
        />
      </div>
      <Input label="Summary" name="summary" value={v.summary} onChange={set("summary")} error={err("summary")} hint="One sentence shown on catalog cards." required />
      <div>
        <div className="mb-1 flex items-center justify-between">
          <span id="description-label" className="text-sm font-medium text-slate-700">
            Description (Markdown)
          </span>
          <div role="tablist" aria-label="Description editor" className="flex gap-1 text-sm">
            {(["write", "preview"] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                onClick={() => setTab(t)}
                className={tab === t ? "rounded px-2 py-0.5 font-medium text-brand-700 bg-brand-50" : "rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100"}
              >
                {t === "write" ? "Write" : "Preview"}
              </button>
            ))}
          </div>
        </div>
        {tab === "write" ? (
          <Textarea
            aria-labelledby="description-label"
            name="description"
            value={v.description}
            onChange={set("description")}
            error={err("description")}
            rows={8}
            className="font-mono"
            hint="Markdown with tables and lists; raw HTML is not rendered."
          />
        ) : (
          <div role="tabpanel" aria-label="Description preview" className="min-h-24 rounded-md border border-slate-200 bg-slate-50 p-4">
            {v.description.trim() ? <MarkdownText>{v.description}</MarkdownText> : <p className="text-sm text-slate-500">Nothing to preview yet.</p>}
          </div>
        )}
      </div>
      <div className="grid gap-5 sm:grid-cols-3">
        <Input label="Domain" name="domain" value={v.domain} onChange={set("domain")} error={err("domain")} placeholder="network" required />
        <Input label="Tags" name="tags" value={v.tags} onChange={set("tags")} error={errorsFor(errors, "basics.tags", true)} hint="Comma separated" placeholder="5g, kpi" />
        <Select label="Classification" name="classification" value={v.classification} onChange={set("classification")} error={err("classification")}>
          {CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {c[0].toUpperCase() + c.slice(1)}
            </option>
          ))}
        </Select>
      </div>
      <StepActions
        productId={productId}
        step="basics"
        pending={productId ? step.pending : creating}
        onSave={onSave}
        message={productId ? step.message : createMessage ? { tone: "error", text: createMessage } : null}
      />
    </form>
  );
}
