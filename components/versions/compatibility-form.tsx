"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert, Button } from "@/components/ui";
import { setCompatibilityModeAction } from "@/lib/versions/actions";

type Mode = "backward" | "forward" | "full" | "none";

const MODES: { value: Mode; label: string; help: string }[] = [
  { value: "backward", label: "Backward", help: "Consumers on the new schema can read data written with the old one (they upgrade first)." },
  { value: "forward", label: "Forward", help: "Consumers on the old schema can read data written with the new one (producers upgrade first)." },
  { value: "full", label: "Full", help: "Both: every change must be safe in both directions." },
  { value: "none", label: "None", help: "No change counts as breaking; every change only needs a minor version." },
];

/** The product's compatibility mode: which schema changes count as breaking (and need a major). */
export function CompatibilityForm({ productId, mode }: { productId: string; mode: Mode }) {
  const router = useRouter();
  const [value, setValue] = useState<Mode>(mode);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  function save() {
    setMessage(null);
    startTransition(async () => {
      const res = await setCompatibilityModeAction({ productId, mode: value });
      if (!res.ok) {
        setMessage({ tone: "error", text: res.error.fieldErrors?.mode?.[0] ?? res.error.message });
        return;
      }
      setMessage({ tone: "success", text: `Compatibility is now ${res.data.mode}.` });
      router.refresh();
    });
  }

  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <fieldset>
        <legend className="sr-only">Compatibility mode</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {MODES.map((m) => (
            <label key={m.value} className={`flex cursor-pointer gap-3 rounded-md border p-3 text-sm ${value === m.value ? "border-brand-500 bg-brand-50" : "border-slate-200 bg-white"}`}>
              <input type="radio" name="mode" value={m.value} checked={value === m.value} onChange={() => setValue(m.value)} className="mt-0.5 h-4 w-4 border-slate-300 text-brand-600" />
              <span>
                <span className="font-medium text-slate-900">{m.label}</span>
                {m.value === mode && <span className="ml-2 text-xs text-slate-500">(current)</span>}
                <span className="mt-0.5 block text-slate-600">{m.help}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <Button type="submit" variant="secondary" loading={pending} disabled={value === mode}>
        Save compatibility mode
      </Button>
    </form>
  );
}
