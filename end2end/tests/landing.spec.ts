import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { uniqueEmail, signUp, signIn, waitForHydration, looksRight, createStoredAndOpen } from "./helpers";

// What the landing page shows is the same for every visitor, so featuring an infographic changes
// it for every test of the run. The tests that read the examples live here, before the one that
// features: a file's tests run in order, in one worker.

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`);
}

/**
 * The admin dashboard on a phone and a laptop: the page never scrolls sideways (its wide tables
 * scroll in their own boxes, so `looksRight`'s check of every element does not apply), no axe
 * violation, screenshots under PAGE_SHOTS.
 */
async function dashboardLooksRight(page: Page, name: string) {
  for (const width of [390, 1366]) {
    await page.setViewportSize({ width, height: 900 });
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    if (process.env.PAGE_SHOTS) await page.screenshot({ path: `${process.env.PAGE_SHOTS}/${name}-${width}.png`, fullPage: true });
    expect(await axe(page), `${name} at ${width} px: axe`).toEqual([]);
  }
}

/** Presses Tab until `target` has the focus (at most `presses` times). */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, presses = 20) {
  for (let i = 0; i < presses; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("the landing page shows the examples, naming each one's shape as the size presets do", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("example")).toHaveCount(3);
  const captions = await page.getByTestId("examples").locator("figcaption").allTextContents();
  expect(captions).not.toContain("A LinkedIn post, 1:1");
  expect(captions).toContain("A square post, 1:1");
  // Files of the site, drawn once: every picture arrives.
  for (const img of await page.getByTestId("example").locator("img").all()) {
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  }
  expect(await axe(page)).toEqual([]);
});

test("an admin features a shared infographic on the landing page and takes it off, by keyboard", async ({ page, browser }) => {
  // An owner shares a picture.
  await signUp(page, uniqueEmail("featured"));
  await createStoredAndOpen(page, "Lighthouses of Brittany");
  await page.getByTestId("share").click();
  await expect(page.getByTestId("share-url")).toHaveValue(/\/s\/[A-Za-z0-9_-]{40,}$/);
  const sharePath = new URL(await page.getByTestId("share-url").inputValue()).pathname;

  // The admin features it from the dashboard, with the keyboard alone.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@e2e.local", "admin-password");
  await admin.goto("/admin");
  await waitForHydration(admin);
  const row = (featured: boolean) =>
    admin.locator(`[data-testid=share-row][data-featured=${featured}]`, { has: admin.locator(`a[href="${sharePath}"]`) });
  await expect(row(false)).toHaveCount(1);
  await row(false).locator(`a[href="${sharePath}"]`).focus();
  await admin.keyboard.press("Tab");
  const feature = row(false).getByTestId("share-feature");
  await expect(feature).toBeFocused();
  await expect(feature).toHaveText("Feature on the landing page");
  await expect(feature).toHaveAccessibleDescription("Lighthouses of Brittany");
  await admin.keyboard.press("Enter");
  const remove = row(true).getByTestId("share-feature");
  await expect(row(true).getByTestId("share-state")).toHaveText("shown");
  await expect(remove).toHaveText("Remove from the landing page");
  await expect(remove).toBeFocused();
  await dashboardLooksRight(admin, "admin-shares");

  // A visitor sees it first, the examples after it, and reaches its page by keyboard.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/");
  const featured = visitor.getByTestId("featured");
  await expect(featured).toHaveCount(1);
  await expect(visitor.getByTestId("example")).toHaveCount(2);
  const img = featured.locator("img");
  await expect(img).toHaveAttribute("alt", "Infographic: Lighthouses of Brittany.");
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  const link = featured.getByRole("link", { name: "Lighthouses of Brittany" });
  await expect(link).toHaveAttribute("href", sharePath);
  await looksRight(visitor, "landing-featured");
  await tabTo(visitor, link);
  await visitor.keyboard.press("Enter");
  await visitor.waitForURL(`**${sharePath}`);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Lighthouses of Brittany");

  // Taken off: the examples again, for the rest of the run too.
  await admin.setViewportSize({ width: 1366, height: 900 });
  await remove.focus();
  await admin.keyboard.press("Enter");
  await expect(row(false).getByTestId("share-feature")).toBeFocused();
  await visitor.goto("/");
  await expect(visitor.getByTestId("featured")).toHaveCount(0);
  await expect(visitor.getByTestId("example")).toHaveCount(3);
});
