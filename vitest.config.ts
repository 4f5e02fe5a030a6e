import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "db/**/*.test.ts", "workers/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts"],
    globalSetup: ["./lib/testing/global-setup.ts"],
    // Integration tests talk to real PostgreSQL and a real broker; 2 cores, so keep workers few.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // next/* server-only modules are imported by some services; vitest runs them in plain Node.
    server: { deps: { inline: ["next-auth"] } },
  },
});
