export const DEMO_PASSWORD = "tributary-demo";

export const demoUsers = {
  admin: "admin@demo.tributary",
  finance: "finance@demo.tributary",
  owner: "owner@demo.tributary",
  consumer: "consumer@demo.tributary",
  partner: "partner@mvno.demo",
} as const;

export type DemoRole = keyof typeof demoUsers;

export function storageStatePath(role: DemoRole): string {
  return `e2e/.auth/${role}.json`;
}

export function screenshotPath(name: string): string {
  return `e2e/artifacts/screens/${name}.png`;
}

/** The broker the e2e launcher starts (playwright.config.ts webServer env). */
export const E2E_BROKER = `localhost:${process.env.E2E_BROKER_PORT ?? "9395"}`;

/** Browser permissions for tests that click a copy button and read the clipboard back. */
export const CLIPBOARD_PERMISSIONS = ["clipboard-read", "clipboard-write"];
