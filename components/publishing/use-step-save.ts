"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { saveDraftStepAction } from "@/lib/publishing/actions";
import type { FormStep } from "@/lib/publishing/schemas";

export type StepErrors = Record<string, string[]>;
type Warning = { field: string; message: string };

/**
 * Saving one step: "Save draft" stays, "Save and continue" moves to the next step. Field errors
 * come back keyed like the publish checks ("basics.slug", "plans.0.priceMinor").
 */
export function useStepSave(productId: string, step: FormStep) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [errors, setErrors] = useState<StepErrors>({});
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [warnings, setWarnings] = useState<Warning[]>([]);

  function save(data: unknown, advance: boolean) {
    start(async () => {
      const res = await saveDraftStepAction({ productId, step, data });
      if (!res.ok) {
        setErrors(res.error.fieldErrors ?? {});
        setMessage({ tone: "error", text: res.error.message });
        return;
      }
      setErrors({});
      setWarnings(res.data.warnings);
      if (advance) {
        router.push(`/owner/publish/${productId}/${res.data.next}`);
      } else {
        setMessage({ tone: "success", text: "Draft saved." });
        router.refresh();
      }
    });
  }

  return { save, pending, errors, message, warnings, setErrors };
}

/** The errors of one field key, plus those of nested keys when `nested` is set. */
export function errorsFor(errors: StepErrors, key: string, nested = false): string[] | undefined {
  const out = [...(errors[key] ?? [])];
  if (nested) for (const [k, v] of Object.entries(errors)) if (k.startsWith(`${key}.`)) out.push(...v);
  return out.length ? out : undefined;
}
