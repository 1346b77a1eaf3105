import { test, expect } from "@playwright/test";
import { uniqueEmail, signUp, waitForHydration } from "./helpers";

const TEXT = `Remote work in numbers
In 2024, 58 % of office workers worked from home at least once a week. Most of them were parents.
The average commute took 54 minutes a day. Hybrid workers saved 2 hours a week.
On Fridays 1 in 3 desks stood empty. Landlords cut rents by 12 % in city centres.
Companies now plan for fewer, better offices, used for meetings rather than for work alone.`;

// A 1×1 PNG: a logo as small as can be.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

test("review the outline, edit it, and generate what it says", async ({ page }) => {
  await signUp(page, uniqueEmail("outline"));
  await page.fill("textarea[name=prompt]", "Remote work for HR people");
  await page.locator("details.paste summary").click();
  await page.fill("textarea[name=source_text]", TEXT);
  await page.selectOption("select[name=language]", "de");
  await page.getByTestId("review-outline").click();

  const outline = page.getByTestId("outline");
  await expect(outline).toBeVisible();
  await expect(page.getByTestId("outline-title")).toHaveValue("Remote work in numbers");
  const sections = outline.getByTestId("outline-section");
  const count = await sections.count();
  expect(count).toBeGreaterThanOrEqual(3);
  await expect(sections.getByTestId("section-figure").first()).toHaveValue("58 %");
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // Edit: the title, a heading; move the second section up; delete the last; add one.
  await page.getByTestId("outline-title").fill("Working from home, by the numbers");
  await sections.nth(1).getByTestId("section-heading").fill("Time saved on commutes");
  await sections.nth(1).getByTestId("section-up").click();
  await expect(sections.first().getByTestId("section-heading")).toHaveValue("Time saved on commutes");
  await sections.last().getByTestId("section-delete").click();
  await expect(sections).toHaveCount(count - 1);
  await page.getByTestId("outline-add").click();
  await expect(sections).toHaveCount(count);
  await sections.last().getByTestId("section-heading").fill("What HR can do");
  await sections.last().getByTestId("section-line").fill("Plan desks for the days people come in");

  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL("**/i/*");
  // What was sent is the edited outline, in German.
  const brief = page.getByTestId("brief");
  await expect(brief).toContainText("Title: Working from home, by the numbers");
  await expect(brief).toContainText("- Time saved on commutes");
  await expect(brief).toContainText("- What HR can do: Plan desks for the days people come in");
  await expect(brief).toContainText("German (de)");
  await expect(page.getByTestId("language")).toHaveText("German (de)");
});

test("make a brand kit with a logo in settings and use it", async ({ page }) => {
  await signUp(page, uniqueEmail("brand"));
  await page.goto("/settings");
  await waitForHydration(page);
  await page.getByTestId("kit-name").fill("Acme");
  await page.getByTestId("kit-color").first().fill("#112233");
  await page.getByTestId("kit-color").first().dispatchEvent("change");
  await page.getByTestId("kit-add-color").click();
  await page.selectOption("[data-testid=kit-font]", "classic_serif");
  await page.getByTestId("kit-tone").fill("warm, plain words");
  await page.getByTestId("kit-default").check();
  await page.getByTestId("kit-logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: PNG });
  await page.getByTestId("kit-save").click();
  await expect(page.getByTestId("kit-saved")).toHaveText("Saved “Acme”.");
  const kit = page.getByTestId("kit");
  await expect(kit).toHaveCount(1);
  await expect(kit.locator("img.kit-logo")).toHaveAttribute("alt", "Acme logo");
  // Loaded (the 1 × 1 PNG): polled, the picture may still be on its way when the list shows.
  await expect.poll(() => kit.locator("img.kit-logo").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);

  // A bad colour is named next to the field.
  await page.getByTestId("kit-name").fill("Broken");
  await page.getByTestId("kit-color").first().fill("blue");
  await page.getByTestId("kit-color").first().dispatchEvent("change");
  await page.getByTestId("kit-save").click();
  await expect(page.locator("[data-field=colors]")).toContainText("#RRGGBB");
  await expect(kit).toHaveCount(1);

  // The default kit is chosen in the form; the infographic is made with it.
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByTestId("brand_kit")).toHaveValue(/.+/);
  await page.fill("textarea[name=prompt]", "Acme's year in review");
  await page.getByTestId("preset-pinterest").click();
  await expect(page.getByTestId("aspect_ratio")).toHaveValue("2:3");
  await expect(page.getByTestId("resolution")).toHaveValue("2K");
  await page.selectOption("select[name=layout]", "timeline");
  await page.locator("input[name=style][value=isometric]").check();
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("form-ok")).toBeVisible();
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL("**/i/*");
  await expect(page.getByTestId("brand")).toHaveText("Acme");
  await expect(page.getByTestId("layout")).toHaveText("Timeline");
  await expect(page.getByTestId("style")).toHaveText("Isometric");
  await expect(page.getByTestId("brief")).toContainText("#112233");
  await expect(page.getByTestId("brief")).toContainText("Place the brand logo");

  // "Use these settings" puts all of it back into a fresh form: size, layout, style and kit.
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.locator("select[name=layout]")).toHaveValue("auto");
  await expect(page.locator("input[name=style][value='']")).toBeChecked();
  await page.getByTestId("card").first().getByTestId("use-settings").click();
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("Acme's year in review");
  await expect(page.locator("textarea[name=prompt]")).toBeFocused();
  await expect(page.getByTestId("aspect_ratio")).toHaveValue("2:3");
  await expect(page.getByTestId("resolution")).toHaveValue("2K");
  await expect(page.locator("select[name=layout]")).toHaveValue("timeline");
  await expect(page.locator("input[name=style][value=isometric]")).toBeChecked();
  await expect(page.locator("input[name=style][value='']")).not.toBeChecked();
  await expect(page.getByTestId("brand_kit")).toHaveValue(/.+/);
});
