import { test, expect } from "@playwright/test";
import { uniqueEmail, signUp, waitForHydration } from "./helpers";

// Closes a textarea and injects a script-bearing image and a redirect if ever written raw.
const HOSTILE = `Tea </textarea><img src=x onerror=alert(1)><meta http-equiv="refresh" content="5;url=https://evil.example/">`;

test("hostile words stay words: the viewer keeps its page, hydrates and its buttons work", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await signUp(page, uniqueEmail("hostile"));
  await page.fill("textarea[name=prompt]", HOSTILE);
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const id = (await card.getAttribute("data-id")) as string;

  await page.goto(`/i/${id}`);
  await waitForHydration(page);
  await page.getByTestId("rename").click();
  await expect(page.getByTestId("rename-input")).toBeFocused();
  await page.getByTestId("rename-input").fill(HOSTILE);
  await page.getByTestId("rename-save").click();
  await expect(page.getByTestId("viewer-title")).toHaveText(HOSTILE);
  await expect(page.getByTestId("rename")).toBeFocused();
  await page.getByTestId("alt-text").fill(HOSTILE);
  await page.getByTestId("alt-save").click();
  await expect(page.getByTestId("alt-save")).toHaveText("Saved");
  await page.getByTestId("share").click();
  await expect(page.getByTestId("share-url")).toBeVisible();

  // Drawn again by the server, with the owner's words in the heading, the tab's title, the
  // embed snippets (textareas) and the alt text.
  await expect(page.getByTestId("embed-html")).toBeVisible({ timeout: 20_000 });
  await page.reload();
  await waitForHydration(page);
  await expect(page).toHaveTitle(`${HOSTILE} — Infograph`);
  await expect(page.locator("meta[http-equiv]")).toHaveCount(0);
  await expect(page.locator("img[src=x]")).toHaveCount(0);
  await expect(page.getByTestId("viewer-title")).toHaveText(HOSTILE);
  const snippet = await page.getByTestId("embed-html").inputValue();
  expect(snippet).toContain("<figcaption>Tea &lt;/textarea&gt;&lt;img src=x");
  expect(snippet).toContain('alt="Tea &lt;/textarea&gt;');
  // The island is alive: its buttons act.
  await page.getByTestId("rename").click();
  await expect(page.getByTestId("rename-input")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("rename")).toBeFocused();
  expect(page.url()).toContain(`/i/${id}`);
  expect(errors).toEqual([]);
});

test("the title names the picture: renamed in the viewer, shown on its card and its share page, never upscaled there", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await signUp(page, uniqueEmail("rename"));
  await page.fill("textarea[name=prompt]", "An infographic for my blog post on urban beekeeping: the key numbers");
  await page.selectOption("select[name=aspect_ratio]", "2:3");
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(card.getByTestId("card-title")).toHaveText("Urban beekeeping");
  const id = (await card.getAttribute("data-id")) as string;

  await page.goto(`/i/${id}`);
  await waitForHydration(page);
  await page.getByTestId("rename").click();
  await page.getByTestId("rename-input").fill("Bees on the roof");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("viewer-title")).toHaveText("Bees on the roof");
  await page.getByTestId("share").click();
  const url = await page.getByTestId("share-url").inputValue();

  await page.goto("/");
  await expect(page.getByTestId("card").first().getByTestId("card-title")).toHaveText("Bees on the roof");

  await page.goto(url);
  await expect(page.locator("h1")).toHaveText("Bees on the roof");
  const picture = page.locator("[data-testid=shared-image] img");
  await expect(picture).toBeVisible();
  const shown = await picture.evaluate((img: HTMLImageElement) => ({ width: img.getBoundingClientRect().width, own: Number(img.getAttribute("width")) }));
  expect(shown.own).toBe(682);
  expect(shown.width).toBeLessThanOrEqual(682);
});

test("pasted text without an outline: Generate makes the outline first and charges nothing", async ({ page }) => {
  await signUp(page, uniqueEmail("pasted"));
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await page.locator("details.paste summary").click();
  await page.fill("textarea[name=source_text]", [
    "Urban beekeeping in numbers",
    "London now has more than 7,000 registered hives, up 40 % in ten years.",
    "One in 5 colonies does not survive the winter. A strong hive holds up to 200,000 bees.",
    "Wild bees lose out: city parks offer flowers for only 1 in 3 of the hives kept there.",
  ].join("\n"));
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("outline-first")).toBeVisible();
  await expect(page.getByTestId("outline-title")).toHaveValue("Urban beekeeping in numbers");
  await expect(page.getByTestId("card")).toHaveCount(0);
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  // Looked at: now it is sent, with no prompt at all, and named by the outline.
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(card.getByTestId("card-title")).toHaveText("Urban beekeeping in numbers");
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
});

test("the API reference fits a phone: long lines scroll inside their box, not the page", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/api/docs/");
  await expect(page.locator("pre.curl").first()).toBeVisible();
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(sideways).toBeLessThanOrEqual(0);
});
