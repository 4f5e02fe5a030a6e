/**
 * Development aid: screenshot a page of a running app as a demo user, to look at what you built.
 *
 *   npx tsx scripts/screenshot.ts /catalog /tmp/catalog.png --as owner [--base http://localhost:3000] [--width 1280] [--full]
 *
 * Roles: admin, finance, owner, consumer, partner, anonymous (demo users, password "tributary-demo").
 * Uses Debian's chromium when present, else Playwright's own browser.
 */
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

const users: Record<string, string> = {
  admin: "admin@demo.tributary",
  finance: "finance@demo.tributary",
  owner: "owner@demo.tributary",
  consumer: "consumer@demo.tributary",
  partner: "partner@mvno.demo",
};

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const [target, out] = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
if (!target || !out) {
  console.error("usage: tsx scripts/screenshot.ts <path> <out.png> [--as role] [--base url] [--width px] [--full]");
  process.exit(2);
}
const base = arg("base", "http://localhost:3000")!;
const role = arg("as", "anonymous")!;
const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(arg("width", "1280")), height: 900 } });
  if (role !== "anonymous") {
    const email = users[role];
    if (!email) throw new Error(`unknown role ${role}`);
    await page.goto(`${base}/sign-in`, { timeout: 180_000 });
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("tributary-demo");
    await page.getByRole("button", { name: /^sign in$/i }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 60_000 });
  }
  const res = await page.goto(`${base}${target}`, { timeout: 120_000 });
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.screenshot({ path: out, fullPage: process.argv.includes("--full") });
  console.log(`${res?.status()} ${page.url()} → ${out}`);
} finally {
  await browser.close();
}
