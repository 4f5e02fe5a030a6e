import type { TestProject } from "vitest/node";
import { runMigrations } from "@/db/migrate";
import { env } from "@/lib/env";
import { assertLocalDatabase, dropDatabase, withAdmin } from "./pg";

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Migrates one template database per test run; each test file clones it (CREATE DATABASE ...
 * TEMPLATE) so files run in parallel on their own data. Refuses anything but a local server.
 */
export default async function setup(project: TestProject) {
  const e = env();
  if (e.databaseEmbedded) {
    throw new Error("DATABASE_URL is not set. Run tests with `npm test` (it starts an embedded PostgreSQL).");
  }
  assertLocalDatabase(e.databaseUrl);
  const template = `trib_tpl_${process.pid}_${Date.now().toString(36)}`;
  await withAdmin(e.databaseUrl, (sql) => sql.unsafe(`create database ${template}`));
  const url = new URL(e.databaseUrl);
  url.pathname = `/${template}`;
  await runMigrations(url.toString());
  project.provide("templateDb", template);
  return async () => {
    await dropDatabase(e.databaseUrl, template);
  };
}
