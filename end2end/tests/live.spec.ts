import { test, expect, Page } from "@playwright/test";
import { uniqueEmail, signUp } from "./helpers";

// Live updates: pushed over Server-Sent Events (/api/events/), with 3 s polling of the
// `infograph_status` server function only while the push stream is down.

/** Counts calls of the status server function (what polling sends). */
/** The status calls the page has sent (`n`) and those not yet answered (`open`). */
function countStatusCalls(page: Page) {
  const calls = { n: 0, open: 0 };
  const isStatus = (r: { url(): string }) => r.url().includes("/sfn/infograph_status");
  page.on("request", (r) => { if (isStatus(r)) { calls.n++; calls.open++; } });
  for (const done of ["requestfinished", "requestfailed"] as const) {
    page.on(done, (r) => { if (isStatus(r)) calls.open--; });
  }
  return calls;
}

test("with push on, the card completes from the pushed event, without polling", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await signUp(page, uniqueEmail("live-push"));
  await expect(page.locator("body[data-live=push]")).toHaveCount(1);
  const statusCalls = countStatusCalls(page);

  await page.fill("textarea[name=prompt]", "Tram lines of Lisbon");
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", /queued|processing/);
  // While it runs: a phase, an accessible bar below 100 %, and an estimate.
  const bar = card.getByRole("progressbar");
  await expect(bar).toBeVisible();
  expect(Number(await bar.getAttribute("aria-valuenow"))).toBeLessThan(100);
  await expect(card.getByTestId("progress-text")).toContainText(/left|almost done/);

  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(card.locator("img")).toBeVisible();
  // The stored copy's event follows: the card ends on our own thumbnail.
  await expect(card).toHaveAttribute("data-phase", "done");
  await expect(card.locator("img")).toHaveAttribute("src", /^\/media\/.*-thumb\.jpg$/);
  await expect(card.getByRole("progressbar")).toHaveCount(0);
  // Structural proof that the push delivered it: not a single status poll was sent, so the
  // card changed as soon as the event arrived, not at a 3 s polling tick.
  expect(statusCalls.n).toBe(0);
  await expect(page.locator("body[data-live=push]")).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("with the push stream blocked, polling still completes the card", async ({ page }) => {
  await page.route(/\/api\/events\//, (route) => route.abort());
  await signUp(page, uniqueEmail("live-poll"));
  await expect(page.locator("body[data-live=polling]")).toHaveCount(1);
  const statusCalls = countStatusCalls(page);

  await page.fill("textarea[name=prompt]", "Ferry routes across the Tagus");
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(card.locator("img")).toBeVisible();
  expect(statusCalls.n).toBeGreaterThan(0);
  // Polling goes on through "storing" until the card shows our stored thumbnail.
  await expect(card).toHaveAttribute("data-phase", "done", { timeout: 15_000 });
  await expect(card.locator("img")).toHaveAttribute("src", /^\/media\/.*-thumb\.jpg$/);
});

test("a job that finishes while the user is elsewhere shows a toast linking to the gallery", async ({ page }) => {
  await signUp(page, uniqueEmail("live-toast"));
  await page.fill("textarea[name=prompt]", "Bridges of Porto");
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("card")).toHaveCount(1);
  await expect(page.getByTestId("card").first()).toHaveAttribute("data-status", /queued|processing/);

  // Another page of the app (not the gallery) while the job runs.
  await page.goto("/elsewhere");
  await expect(page.locator("body[data-live=push]")).toHaveCount(1);
  const toast = page.getByTestId("toast");
  await expect(toast).toContainText("Your infographic is ready", { timeout: 30_000 });
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(page.getByTestId("toast")).toHaveCount(0);
});

test("polling pauses while the tab is hidden and resumes when it is visible again", async ({ page }) => {
  // The page's timers run on a clock the test moves: three polling periods pass at once.
  await page.clock.install();
  await page.route(/\/api\/events\//, (route) => route.abort());
  await signUp(page, uniqueEmail("live-hidden"));
  await expect(page.locator("body[data-live=polling]")).toHaveCount(1);
  const statusCalls = countStatusCalls(page);
  // A slow job (10× the emulator's delay) stays running for the whole test.
  await page.fill("textarea[name=prompt]", "[emulator:slow] Lighthouses of the coast");
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("card").first()).toHaveAttribute("data-status", /queued|processing/);
  await expect.poll(() => statusCalls.n, { timeout: 10_000 }).toBeGreaterThan(0);

  const setVisibility = (hidden: boolean) => page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
  await setVisibility(true);
  const whenHidden = statusCalls.n;
  // Three polling periods, one at a time: a card that kept polling would send a request in each
  // (each waits for the last answer), and is given the time to.
  for (let period = 0; period < 3; period++) {
    await page.clock.runFor(3_100);
    await page.evaluate(() => 0); // every request the timers started has been reported
    await expect.poll(() => statusCalls.open).toBe(0);
  }
  expect(statusCalls.n).toBeLessThanOrEqual(whenHidden + 1); // one may have been in flight
  const beforeVisible = statusCalls.n;
  await setVisibility(false);
  await expect.poll(() => statusCalls.n).toBeGreaterThan(beforeVisible);
  await expect(page.getByTestId("card").first()).toHaveAttribute("data-status", /queued|processing/);
});
