import { test, expect } from "@playwright/test";
import { uniqueEmail, signUp, waitForHydration, looksRight } from "./helpers";

const TEXT = `Urban bees in numbers
Bees pollinate 75 % of the crops we eat. Cities now keep 1200 rooftop hives on offices and schools.
Meadows in 35 parks feed wild bees from April to September. Gardens without pesticides keep colonies healthy.
Beekeepers say the honey from city hives tastes of lime trees and clover.`;

test("a typo picture lists its problems, one click fixes them, and the fix reads back clean", async ({ page }) => {
  await signUp(page, uniqueEmail("proofread"));
  // The emulator's marker: the picture it draws misspells a word and changes a number.
  await page.fill("textarea[name=prompt]", "Bees for a city blog [emulator:typo]");
  await page.locator("details.paste summary").click();
  await page.fill("textarea[name=source_text]", TEXT);
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline")).toBeVisible();
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");

  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  // The card says how many problems the read-back found, and links to them.
  await expect(card.getByTestId("card-proofread")).toHaveText(/Proofread: \d+ problems?/, { timeout: 30_000 });
  await card.getByTestId("card-proofread").getByRole("link").click();
  await page.waitForURL("**/i/*#proofread");
  await waitForHydration(page);

  const panel = page.getByTestId("proofread");
  await expect(panel).toHaveAttribute("data-status", "done");
  const problems = page.getByTestId("proofread-problems").locator("li");
  await expect(problems.filter({ hasText: "Misspelled" })).toHaveCount(1);
  await expect(problems.filter({ hasText: "Not in your source" })).toHaveCount(1);
  // What was read, the wrong words highlighted.
  await panel.locator("details.transcription summary").click();
  await expect(page.getByTestId("transcription").locator("mark").first()).toBeVisible();
  await looksRight(page, "proofread");

  // The first fix is free; the keyboard reaches the button.
  await expect(panel).toContainText("The first fix of a picture is free.");
  await page.getByTestId("fix-words").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("fix-ok")).toContainText("Started 1 fix for 0 credits.");
  await expect(page.getByTestId("balance")).toHaveText("9 credits");

  // The fixed version appears in the family; opened, its read-back is clean.
  const fixed = page.getByTestId("version").nth(1);
  await expect(fixed).toBeVisible({ timeout: 30_000 });
  await fixed.click();
  await page.waitForURL("**/i/*");
  await expect(page.getByTestId("proofread-summary")).toHaveText(/Proofread: (\d+) of \1 words right/, { timeout: 30_000 });
  await expect(page.getByTestId("proofread-problems")).toHaveCount(0);
  await expect(page.getByTestId("fix-words")).toHaveCount(0);
});
