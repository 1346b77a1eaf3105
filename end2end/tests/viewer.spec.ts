import { test, expect } from "@playwright/test";
import { uniqueEmail, signUp, waitForHydration } from "./helpers";

test("the viewer: full size, refine live into the strip, compare, arrow keys, one card per family", async ({ page, browser }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  await signUp(page, uniqueEmail("viewer"));

  await page.fill("textarea[name=prompt]", "Volcanoes explained");
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const originalId = (await card.getAttribute("data-id")) as string;

  // The gallery image opens the viewer. Its wasm is held here until the first click has been
  // made, so that the click surely comes before the island is live: it is held and replayed,
  // not lost.
  let releaseWasm = () => {};
  const wasmHeld = new Promise<void>((resolve) => { releaseWasm = resolve; });
  await page.route("**/*.wasm", async (route) => {
    await wasmHeld;
    await route.continue();
  });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL(`**/i/${originalId}`);
  const viewer = page.getByTestId("viewer");
  await expect(viewer).toHaveAttribute("data-id", originalId);
  const zoom = page.getByTestId("zoom");
  await expect(zoom).toHaveAttribute("aria-pressed", "false");
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  // Fit to the screen, 100 % on click (this one before hydration), back with the keyboard.
  await zoom.click();
  releaseWasm();
  await waitForHydration(page);
  await page.unroute("**/*.wasm");
  await expect(zoom).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("facts")).toContainText("1 credit");
  await expect(page.getByTestId("brief")).toContainText("Volcanoes explained");
  await zoom.focus();
  await page.keyboard.press("Enter");
  await expect(zoom).toHaveAttribute("aria-pressed", "false");

  // Refine: the new version arrives in the strip and completes, without a reload.
  await page.evaluate(() => ((window as any).__noReload = true));
  const versions = page.getByTestId("version");
  await expect(versions).toHaveCount(1);
  await page.fill("textarea[name=instruction]", "make the title larger and use dark blue");
  await page.getByTestId("refine").click();
  await expect(page.getByTestId("refine-ok")).toHaveText("Started 1 refinement for 1 credit.");
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(1)).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  const refinedId = (await versions.nth(1).getAttribute("data-id")) as string;

  // Arrow keys move between versions (not while typing in a field).
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("ArrowRight");
  await page.waitForURL(`**/i/${refinedId}`);
  await expect(viewer).toHaveAttribute("data-id", refinedId);
  await expect(page.getByTestId("instruction")).toHaveText("make the title larger and use dark blue");
  await expect(page.getByTestId("facts")).toContainText("2 of 2");
  await waitForHydration(page);
  await page.keyboard.press("ArrowLeft");
  await page.waitForURL(`**/i/${originalId}`);
  await expect(viewer).toHaveAttribute("data-id", originalId);

  // Compare the two side by side.
  await page.selectOption("select[name=compare]", refinedId);
  await page.getByTestId("compare-form").getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(`**/i/${originalId}?compare=${refinedId}`);
  const compare = page.getByTestId("compare");
  await expect(compare.locator("figure")).toHaveCount(2);
  await expect(compare).toContainText("Version 1: the original");
  await expect(compare).toContainText("Version 2: “make the title larger and use dark blue”");
  // A full page load hydrates too: the arrow keys work on it.
  await waitForHydration(page);
  await page.keyboard.press("ArrowRight");
  await page.waitForURL(`**/i/${refinedId}`);
  await expect(viewer).toHaveAttribute("data-id", refinedId);

  // Comfortable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await waitForHydration(page);
  if (process.env.VIEWER_SHOTS) {
    await page.screenshot({ path: `${process.env.VIEWER_SHOTS}/viewer-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.screenshot({ path: `${process.env.VIEWER_SHOTS}/viewer.png` });
  }
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 720 });

  // The gallery shows the family once, as its newest version.
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByTestId("card")).toHaveCount(1);
  await expect(page.getByTestId("card").first()).toHaveAttribute("data-id", refinedId);
  await expect(page.getByTestId("versions")).toHaveText("2 versions");
  if (process.env.VIEWER_SHOTS) {
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `${process.env.VIEWER_SHOTS}/gallery-${width}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  }

  // A refinement can be cancelled from its own page, and is refunded.
  await page.goto(`/i/${refinedId}`);
  await waitForHydration(page);
  await page.fill("textarea[name=instruction]", "[emulator:slow] this one gets cancelled");
  await page.getByTestId("refine").click();
  await expect(versions).toHaveCount(3);
  await expect(page.getByTestId("balance")).toHaveText("7 credits");
  const slowId = (await versions.nth(2).getAttribute("data-id")) as string;
  await versions.nth(2).click();
  await page.waitForURL(`**/i/${slowId}`);
  await expect(viewer).toHaveAttribute("data-id", slowId);
  await waitForHydration(page);
  await page.getByTestId("cancel").click();
  await expect(viewer).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(page.getByTestId("balance")).toHaveText("8 credits", { timeout: 10_000 });
  expect(errors).toEqual([]);

  // Anyone else gets the 404 page, with a 404 status.
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  await signUp(other, uniqueEmail("viewer-stranger"));
  const response = await other.goto(`/i/${originalId}`);
  expect(response?.status()).toBe(404);
  await expect(other.getByTestId("not-found")).toBeVisible();
  await expect(other.locator("body")).not.toContainText("Volcanoes");
  await stranger.close();
});
