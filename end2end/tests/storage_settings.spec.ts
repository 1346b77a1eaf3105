import { test, expect } from "@playwright/test";
import { uniqueEmail, waitForHydration, signUp } from "./helpers";


test("the gallery shows our stored thumbnail, served from our origin to its owner", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("store"));
  await page.fill("textarea[name=prompt]", "Thumbnails from our own storage");
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  // The copy runs after completion; a reload shows the stored thumbnail.
  let src = "";
  await expect(async () => {
    await page.reload();
    src = (await page.getByTestId("card").first().locator("img").getAttribute("src")) ?? "";
    expect(src).toMatch(/^\/media\/[0-9a-f-]+\/[0-9a-f]+-thumb\.jpg$/);
  }).toPass({ timeout: 30_000 });
  const img = page.getByTestId("card").first().locator("img");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  const mine = await page.request.get(src);
  expect(mine.status()).toBe(200);
  expect(mine.headers()["content-type"]).toBe("image/jpeg");
  // Someone else (a fresh browser context, no session) cannot load it.
  const stranger = await browser.newContext();
  const theirs = await stranger.request.get(new URL(src, page.url()).toString());
  expect(theirs.status()).toBe(401);
  await stranger.close();
});

test("email notifications are off by default and can be switched on in settings", async ({ page }) => {
  await signUp(page, uniqueEmail("notify"));
  await page.getByTestId("settings-link").click();
  await page.waitForURL((url) => url.pathname === "/settings");
  await waitForHydration(page);
  await expect(page.getByTestId("notify-state")).toHaveAttribute("data-on", "false");
  await page.getByTestId("notify-toggle").click();
  await expect(page.getByTestId("notify-state")).toHaveAttribute("data-on", "true");
  await page.reload();
  await expect(page.getByTestId("notify-state")).toHaveAttribute("data-on", "true");
});
