import Link from "next/link";
import { cn } from "@/components/ui";
import { STEP_LABELS, STEPS, type Step } from "@/lib/publishing/schemas";

/**
 * The wizard's step indicator: every step is a link once the draft exists (owners jump back to
 * fix what the review found), the current one is marked for assistive tech, done ones are ticked.
 */
export function WizardSteps({ productId, current, done }: { productId: string | null; current: Step; done: readonly string[] }) {
  const index = STEPS.indexOf(current);
  const progress = Math.round((done.filter((s) => s !== "review").length / (STEPS.length - 1)) * 100);
  return (
    <nav aria-label="Publish steps" className="mb-6">
      <div className="mb-3 flex items-center justify-between text-sm text-slate-600">
        <span>
          Step {index + 1} of {STEPS.length}: <span className="font-medium text-slate-900">{STEP_LABELS[current]}</span>
        </span>
        <span>{progress}% complete</span>
      </div>
      <div className="mb-4 h-1.5 w-full overflow-hidden rounded-full bg-slate-200" role="progressbar" aria-label="Draft progress" aria-valuenow={progress} aria-valuemin={0} aria-valuemax={100}>
        <div className="h-full rounded-full bg-brand-600 transition-all" style={{ width: `${progress}%` }} />
      </div>
      <ol className="flex flex-wrap gap-2 text-sm">
        {STEPS.map((s, i) => {
          const isDone = done.includes(s);
          const isCurrent = s === current;
          const label = (
            <>
              <span
                aria-hidden
                className={cn(
                  "inline-flex h-5 w-5 items-center justify-center rounded-full text-xs font-semibold",
                  isCurrent ? "bg-brand-600 text-white" : isDone ? "bg-emerald-600 text-white" : "bg-slate-200 text-slate-700",
                )}
              >
                {isDone && !isCurrent ? "✓" : i + 1}
              </span>
              {STEP_LABELS[s]}
              {isDone && <span className="sr-only"> (done)</span>}
            </>
          );
          const cls = cn(
            "inline-flex items-center gap-1.5 rounded-full border px-3 py-1",
            isCurrent ? "border-brand-500 bg-brand-50 font-medium text-brand-900" : "border-slate-200 bg-white text-slate-700",
          );
          return (
            <li key={s}>
              {productId && !isCurrent ? (
                <Link href={`/owner/publish/${productId}/${s}`} className={cn(cls, "hover:border-brand-500")}>
                  {label}
                </Link>
              ) : (
                <span className={cls} aria-current={isCurrent ? "step" : undefined}>
                  {label}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
