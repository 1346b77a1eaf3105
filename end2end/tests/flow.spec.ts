import { test, expect, Page } from "@playwright/test";
import { uniqueEmail, waitForHydration, signUp } from "./helpers";

async function submitCreate(page: Page) {
  await page.click("form.create-form button[type=submit]");
}

test("sign up, generate, watch the card finish without reloading", async ({ page }) => {
  // A hydration mismatch or a panic in the wasm shows up here; the page must have none.
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await signUp(page, uniqueEmail("e2e"));

  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });

  await page.fill("textarea[name=prompt]", "Solar power in five numbers");
  await page.selectOption("select[name=aspect_ratio]", "4:3");
  await page.selectOption("select[name=number_of_infographs]", "2");
  await submitCreate(page);

  await expect(page.getByTestId("form-ok")).toHaveText("Started 2 infographics for 2 credits.");
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  const cards = page.getByTestId("card");
  await expect(cards).toHaveCount(2);
  // The page answered at once: the cards are not done yet.
  await expect(cards.first()).toHaveAttribute("data-status", /queued|processing/);
  await expect(cards.first()).toContainText("Processing");

  // Polling (every 3 s) brings the images in; no reload happens.
  for (const card of await cards.all()) {
    await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(card.locator("img")).toBeVisible();
  }
  const src = await cards.first().locator("img").getAttribute("src");
  // fal's (emulated) PNG, or our stored thumbnail once copied.
  expect(src).toMatch(/\.png\?|-thumb\.jpg$/);
  expect(navigations).toBe(0);
  // The brief the model got is one click away.
  await cards.first().locator("summary").click();
  await expect(cards.first().getByTestId("brief")).toContainText("Solar power in five numbers");
  await expect(cards.first().getByTestId("brief")).toContainText("aspect ratio 4:3");
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  expect(errors).toEqual([]);
});

test("a failing job shows the failure and refunds the credits", async ({ page }) => {
  await signUp(page, uniqueEmail("e2e-fail"));
  await page.fill("textarea[name=prompt]", "[emulator:fail] This one breaks");
  await page.selectOption("select[name=resolution]", "4K");
  await submitCreate(page);
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(card.getByTestId("card-error")).toContainText("asked to fail");
  await expect(card.getByTestId("refund")).toHaveText("Credits refunded.");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
});

test("bad input shows a message next to the field and charges nothing", async ({ page }) => {
  await signUp(page, uniqueEmail("e2e-bad"));
  await page.fill("textarea[name=prompt]", "A chart");
  await page.fill("input[name=blog_url]", "http://127.0.0.1/admin");
  await submitCreate(page);
  await expect(page.locator(".field-error[data-field=blog_url]")).toContainText("not public");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await expect(page.getByTestId("card")).toHaveCount(0);
});

test("wrong password is refused with a readable message", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.fill("input[name=email]", "nobody@example.com");
  await page.fill("input[name=password]", "password123");
  await page.click("form button[type=submit]");
  await expect(page.locator(".form-error")).toHaveText("wrong email or password");
});

test("the create form's code comes when the form is first used, and a press before it is live still counts", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const fetched: string[] = [];
  page.on("request", (r) => fetched.push(r.url()));
  const formPart = () => fetched.filter((u) => /\/split_create_form_island_[^/]*\.wasm$/.test(u));
  await signUp(page, uniqueEmail("e2e-onuse"));
  await page.waitForLoadState("networkidle");
  // The gallery is live; the form is plain HTML still and its code was not fetched.
  expect(fetched.some((u) => /\/split_gallery_island_[^/]*\.wasm$/.test(u))).toBe(true);
  expect(formPart()).toEqual([]);

  // The first press wakes the form; it is held until the form is live, then applied.
  await page.getByTestId("preset-pinterest").click();
  await expect(page.getByTestId("aspect_ratio")).toHaveValue("2:3");
  await expect(page.getByTestId("resolution")).toHaveValue("2K");
  expect(formPart()).toHaveLength(1);
  // Sent through the island (its message, not a page load), charged once.
  await page.fill("textarea[name=prompt]", "Held until live");
  await submitCreate(page);
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
  await expect(page.getByTestId("card")).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("a form sent before its island is live goes through the island and charges once", async ({ page }) => {
  await signUp(page, uniqueEmail("e2e-early"));
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
  // Filled without focusing it (nothing wakes the form) and sent at once: the send wakes it,
  // is held, and is replayed through the island.
  await page.locator("textarea[name=prompt]").evaluate((el: HTMLTextAreaElement) => { el.value = "Sent early"; });
  await page.locator("form.create-form").evaluate((form: HTMLFormElement) => form.requestSubmit());
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
  await expect(page.getByTestId("card")).toHaveCount(1);
  expect(navigations).toBe(0);
});

test("a press on the form before the bundle has loaded wakes it once the bundle is there", async ({ page }) => {
  await signUp(page, uniqueEmail("e2e-prebundle"));
  // The core bundle is held back until the press has been made.
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  await page.route(/\/pkg\/[^/]+\/infograph\.wasm$/, async (route) => { await released; await route.continue(); });
  await page.goto("/", { waitUntil: "domcontentloaded" });
  await page.getByTestId("preset-pinterest").click();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  release();
  await waitForHydration(page);
  await expect(page.getByTestId("aspect_ratio")).toHaveValue("2:3");
  await expect(page.getByTestId("resolution")).toHaveValue("2K");
});

test("if the form's code never comes, a held send is let go and posts as a plain form", async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, uniqueEmail("e2e-nopart"));
  await page.route(/\/split_create_form_island_[^/]*\.wasm$/, (route) => route.abort());
  await page.goto("/");
  await waitForHydration(page);
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
  await page.fill("textarea[name=prompt]", "Sent without the form's code");
  await submitCreate(page);
  // Held until the island gives up (15 s at most), then posted: the server answers with the page
  // again, with the new card and the balance charged once.
  await expect(page.getByTestId("card")).toHaveCount(1, { timeout: 40_000 });
  expect(navigations).toBe(1);
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
});
