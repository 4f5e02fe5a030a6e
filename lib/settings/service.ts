import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { platformSettings } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { currentRequestContext } from "@/lib/ops/context";
import { createLogger } from "@/lib/ops/log";

/**
 * Platform-wide switches an admin can flip. Each key has a schema and a default, so a missing
 * or malformed row reads as the default instead of breaking a page.
 */
const definitions = {
  /** Signed-out visitors may browse /catalog and /products/* when true. */
  public_catalog: { schema: z.boolean(), default: false },
  /**
   * Days an external organization's access lasts when the approver gives no expiry (null: no
   * default expiry). Read by the subscription service when it grants access to an external org.
   * Wrapped in an object because a bare JSON null cannot be stored in the jsonb column.
   */
  external_access_default_expiry_days: {
    schema: z.object({ days: z.number().int().min(1).max(3650).nullable() }),
    default: { days: 90 } as { days: number | null },
  },
} as const;

export type SettingKey = keyof typeof definitions;
export type SettingValue<K extends SettingKey> = z.infer<(typeof definitions)[K]["schema"]>;

export const settingKeys = Object.keys(definitions) as SettingKey[];

export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  const def = definitions[key];
  const [row] = await db
    .select({ value: platformSettings.value })
    .from(platformSettings)
    .where(eq(platformSettings.key, key))
    .limit(1);
  if (!row) return def.default as SettingValue<K>;
  const parsed = def.schema.safeParse(row.value);
  if (!parsed.success) {
    createLogger("settings").warn("ignoring a malformed setting value", { key, request_id: currentRequestContext()?.correlationId });
    return def.default as SettingValue<K>;
  }
  return parsed.data as SettingValue<K>;
}

/** Writes a setting and its audit entry in one transaction; a no-op change is not audited. */
export async function setSetting<K extends SettingKey>(
  db: Db,
  key: K,
  value: SettingValue<K>,
  actor: { id: string; email: string } | null,
): Promise<void> {
  const def = definitions[key];
  const parsed = def.schema.safeParse(value);
  if (!parsed.success) throw new AppError("validation", `Invalid value for setting ${key}.`);
  await db.transaction(async (tx) => {
    const previous = await getSetting(tx, key);
    if (JSON.stringify(previous) === JSON.stringify(parsed.data)) return;
    await tx
      .insert(platformSettings)
      .values({ key, value: parsed.data, updatedAt: new Date(), updatedBy: actor?.id ?? null })
      .onConflictDoUpdate({
        target: platformSettings.key,
        set: { value: parsed.data, updatedAt: new Date(), updatedBy: actor?.id ?? null },
      });
    await recordAudit(tx, {
      actor: actor ? { type: "user", id: actor.id, label: actor.email } : { type: "system" },
      action: "settings.update",
      resource: { type: "platform_setting", id: key },
      details: { from: previous, to: parsed.data },
    });
  });
}
