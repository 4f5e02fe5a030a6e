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
