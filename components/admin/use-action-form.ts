"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult, FieldErrors } from "@/lib/errors";

/**
 * Submit logic of the admin forms: run the server action with the form's data, keep what was
 * typed on a failure (field errors under their inputs, anything else as a form error), and on
 * success refresh the server-rendered page and report a message.
 */
export function useActionForm<T>(
  action: (form: FormData) => Promise<ActionResult<T>>,
  opts: { success?: (data: T) => string; reset?: boolean; onSuccess?: (data: T) => void } = {},
) {
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    setPending(true);
    setMessage(null);
    const result = await action(new FormData(formEl));
    setPending(false);
    if (!result.ok) {
      setFieldErrors(result.error.fieldErrors ?? {});
      setFormError(result.error.fieldErrors && Object.keys(result.error.fieldErrors).some((k) => k !== "_form") ? null : (result.error.fieldErrors?._form?.join(" ") ?? result.error.message));
      return;
    }
    setFieldErrors({});
    setFormError(null);
    setMessage(opts.success ? opts.success(result.data) : "Saved.");
    if (opts.reset) formEl.reset();
    opts.onSuccess?.(result.data);
    router.refresh();
  }

  return { fieldErrors, formError, message, pending, onSubmit };
}
