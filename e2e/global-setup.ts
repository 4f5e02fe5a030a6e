import { env } from "@/lib/env";
import { assertLocalDatabase } from "@/lib/testing/pg";

/** e2e creates data through the app; never point it at a database that is not on this machine. */
export default async function globalSetup() {
  const e = env();
  if (!e.databaseEmbedded) assertLocalDatabase(e.databaseUrl);
}
