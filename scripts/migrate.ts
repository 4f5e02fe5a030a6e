import { runMigrations } from "@/db/migrate";
import { env } from "@/lib/env";

// Explicit migrate step for deploys against a real PostgreSQL (`DATABASE_URL=... npm run db:migrate`),
// as the tables' owner: DATABASE_MIGRATION_URL when set (the app itself runs as tributary_app).
// In development the launcher (`npm run dev`) starts the embedded database and migrates itself.
const e = env();
if (e.databaseEmbedded) {
  console.error("DATABASE_URL is not set: `npm run dev` migrates the embedded database itself.");
  process.exit(1);
}
await runMigrations(e.databaseMigrationUrl);
console.log("migrations applied");
