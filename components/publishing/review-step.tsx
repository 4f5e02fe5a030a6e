"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert, Button, buttonClasses } from "@/components/ui";
import { publishDraftAction } from "@/lib/publishing/actions";
import type { CheckIssue } from "@/lib/publishing/checks";
import { STEP_LABELS } from "@/lib/publishing/schemas";

function IssueList({ productId, issues }: { productId: string; issues: CheckIssue[] }) {
  return (
    <ul className="mt-2 space-y-1">
      {issues.map((i, n) => (
        <li key={n}>
          <Link href={`/owner/publish/${productId}/${i.step}`} className="font-medium underline underline-offset-2">
            {STEP_LABELS[i.step]}
          </Link>
          {" · "}
          <span className="font-mono text-xs">{i.field}</span>: {i.message}
        </li>
      ))}
    </ul>
  );
}

/** The publish checks' verdict with links back to each step, and the publish button. */
export function ReviewStep({
  productId,
  slug,
  issues,
  warnings,
}: {
  productId: string;
  slug: string;
  issues: CheckIssue[];
  warnings: CheckIssue[];
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [serverIssues, setServerIssues] = useState<{ message: string; fieldErrors: Record<string, string[]> } | null>(null);
  const [published, setPublished] = useState<string | null>(null);

  function publish() {
    start(async () => {
      const res = await publishDraftAction({ productId });
      if (!res.ok) {
        setServerIssues({ message: res.error.message, fieldErrors: res.error.fieldErrors ?? {} });
        router.refresh();
        return;
      }
      setPublished(res.data.slug);
    });
  }

  if (published) {
    return (
      <Alert tone="success" title="Published">
        <p>Version 1.0.0 is live in the catalog. The router starts delivering its tiers shortly.</p>
        <div className="mt-3 flex gap-3">
          <Link href={`/products/${published}`} className={buttonClasses("primary", "sm")}>
            View in the catalog
          </Link>
          <Link href={`/owner/products/${published}`} className={buttonClasses("secondary", "sm")}>
            Manage the product
          </Link>
        </div>
      </Alert>
    );
  }

  return (
    <div className="space-y-5">
      {issues.length === 0 ? (
        <Alert tone="success" title="All publish checks pass">
          Schema valid, every personal field masked outside the full-access tier, full access only with owner review, rules pass on the sample, prices sane, slug free.
        </Alert>
      ) : (
        <Alert tone="error" title={`${issues.length} ${issues.length === 1 ? "problem" : "problems"} to fix before publishing`}>
          <IssueList productId={productId} issues={issues} />
        </Alert>
      )}
      {warnings.length > 0 && (
        <Alert tone="warning" title="Warnings (publishing is still possible)">
          <IssueList productId={productId} issues={warnings} />
        </Alert>
      )}
      {serverIssues && (
        <Alert tone="error" title={serverIssues.message}>
          <ul className="mt-1 list-disc pl-5">
            {Object.entries(serverIssues.fieldErrors).map(([k, v]) => (
              <li key={k}>
                <span className="font-mono text-xs">{k}</span>: {v.join(" ")}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <div className="flex items-center gap-3 border-t border-slate-200 pt-4">
        <Link href={`/owner/publish/${productId}/plans`} className={buttonClasses("ghost")}>
          ← Back
        </Link>
        <span className="text-sm text-slate-600">
          Publishes <span className="font-mono">/products/{slug}</span> with contract version 1.0.0.
        </span>
        <Button className="ml-auto" onClick={publish} loading={pending} disabled={issues.length > 0}>
          Publish
        </Button>
      </div>
    </div>
  );
}
