import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, demoUsers, screenshotPath, storageStatePath, type DemoRole } from "./fixtures";

test.describe("signed out", () => {
  test("app pages send a signed-out visitor to sign in (public catalog is off by default)", async ({ page }) => {
    for (const path of ["/catalog", "/products/cell-network-kpis", "/admin/users"]) {
      await page.goto(path);
      await expect(page, `${path} should redirect`).toHaveURL(/\/sign-in/);
    }
    await page.screenshot({ path: screenshotPath("sign-in"), fullPage: true });
  });

  test("a wrong password gets a clear error and no session", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(demoUsers.finance);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: /^sign in$/i }).click();
    await expect(page.getByRole("alert").first()).toContainText(/incorrect|invalid|wrong/i);
    await expect(page).toHaveURL(/\/sign-in/);
  });
});

const roleExpectations: Record<DemoRole, { admin: boolean }> = {
  admin: { admin: true },
  finance: { admin: false },
  owner: { admin: false },
  consumer: { admin: false },
  partner: { admin: false },
};

for (const role of Object.keys(roleExpectations) as DemoRole[]) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: storageStatePath(role) });

    test(`${role} sees the catalog and only the admin pages the role allows`, async ({ page }) => {
      await page.goto("/catalog");
      await expect(page.getByRole("heading", { name: "Data product catalog" })).toBeVisible();
      const res = await page.goto("/admin/users");
      if (roleExpectations[role].admin) {
        expect(res?.status()).toBe(200);
        await expect(page.getByText(demoUsers.consumer).first()).toBeVisible();
      } else {
        expect(res?.status()).toBe(403);
      }
      await page.screenshot({ path: screenshotPath(`role-${role}`), fullPage: true });
    });
  });
}

test("sign in and sign out", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(demoUsers.owner);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: /^sign in$/i }).click();
  await expect(page).toHaveURL(/\/catalog/);
  await page.getByRole("button", { name: /sign out/i }).or(page.getByRole("link", { name: /sign out/i })).first().click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/catalog");
  await expect(page).toHaveURL(/\/sign-in/);
});
