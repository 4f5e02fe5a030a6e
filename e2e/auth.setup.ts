import { mkdirSync } from "node:fs";
import { expect, test as setup } from "@playwright/test";
import { DEMO_PASSWORD, demoUsers, storageStatePath } from "./fixtures";

/** Signs each demo role in once; the test projects reuse the saved sessions. */
mkdirSync("e2e/.auth", { recursive: true });

for (const [role, email] of Object.entries(demoUsers)) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: /^sign in$/i }).click();
    await expect(page).toHaveURL(/\/catalog/);
    await page.context().storageState({ path: storageStatePath(role as keyof typeof demoUsers) });
  });
}
