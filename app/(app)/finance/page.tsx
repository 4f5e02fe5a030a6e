import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FinanceScreen } from "@/components/finance/finance-screen";
import { Alert, type SearchParamsRecord } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/session";
import { periodKeyOf } from "@/lib/billing/periods";
import { loadFinancePage, type ReportFilter } from "@/lib/billing/queries";
import { FinanceQuerySchema } from "@/lib/billing/schemas";

export const metadata: Metadata = { title: "Finance" };

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v || undefined;
}

/**
 * /finance: chargeback (cost center → team → subscription) and showback (owning team, product)
 * for one month, with trends, CSV export and the period close. Finance and admins only.
 */
export default async function FinancePage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const user = await requireRole("finance");
  const sp = await searchParams;
  const now = new Date();
  const parsed = FinanceQuerySchema.safeParse({ period: one(sp.period), costCenter: one(sp.costCenter), team: one(sp.team), owner: one(sp.owner), page: one(sp.page) });
  if (!parsed.success) {
    return (
      <main>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Finance</h1>
        <Alert tone="error" className="mt-6" title="This report link is not valid">
          {parsed.error.issues.map((i) => i.message).join(" ")}{" "}
          <Link href="/finance" className="font-medium underline">
            Open the current month
          </Link>
        </Alert>
      </main>
    );
  }
  const filter: ReportFilter = {
    period: parsed.data.period ?? periodKeyOf(now),
    costCenter: parsed.data.costCenter,
    team: parsed.data.team,
    owner: parsed.data.owner,
  };
  const data = await loadFinancePage(getDb(), user, filter, now, parsed.data.page ?? 1);
  if (!data) notFound();
  return <FinanceScreen data={data} filter={filter} now={now} />;
}
