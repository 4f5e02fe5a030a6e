import type { Metadata } from "next";
import { ExternalExpiryForm, MaskingKeyRotation } from "@/components/admin/settings-forms";
import { AdminNav } from "@/components/auth/admin-nav";
import { PublicCatalogToggle } from "@/components/auth/public-catalog-toggle";
import { Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { listProductsForKeyRotation, readPlatformSettings } from "@/lib/admin/platform";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Platform settings" };

export default async function AdminSettingsPage() {
  const me = await requireRole("admin");
  const db = getDb();
  const [settings, products] = await Promise.all([readPlatformSettings(db, me), listProductsForKeyRotation(db, me)]);
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
          <PublicCatalogToggle initial={settings.publicCatalog} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>External access</CardTitle>
        </CardHeader>
        <CardBody>
          <ExternalExpiryForm days={settings.externalExpiryDays} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Masking key rotation</CardTitle>
          <p className="mt-1 text-sm text-slate-600">
            Hash and tokenize masking use a per-product key derived from the platform secret and the product&apos;s key version. Rotate after a suspected
            leak, or on a schedule.
          </p>
        </CardHeader>
        <CardBody>{products.length === 0 ? <EmptyState title="No products yet">Keys exist once owners publish products.</EmptyState> : <MaskingKeyRotation products={products} />}</CardBody>
      </Card>
    </main>
  );
}
