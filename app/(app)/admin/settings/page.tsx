import type { Metadata } from "next";
import { AdminNav } from "@/components/auth/admin-nav";
import { PublicCatalogToggle } from "@/components/auth/public-catalog-toggle";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/session";
import { getSetting } from "@/lib/settings/service";

export const metadata: Metadata = { title: "Platform settings" };

export default async function AdminSettingsPage() {
  await requireRole("admin");
  const publicCatalog = await getSetting(getDb(), "public_catalog");
  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/settings" />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Public catalog</CardTitle>
        </CardHeader>
        <CardBody>
          <PublicCatalogToggle initial={publicCatalog} />
        </CardBody>
      </Card>
    </main>
  );
}
