import { test, expect } from "@playwright/test";
import { uniqueEmail, signUp, waitForHydration, looksRight } from "./helpers";

const TEXT = `Urban bees in numbers
Bees pollinate 75 % of the crops we eat. Cities now keep 1200 rooftop hives on offices and schools.
Meadows in 35 parks feed wild bees from April to September. Gardens without pesticides keep colonies healthy.`;

test("make the text editable, edit a word, save, and download it as SVG and PDF", async ({ page }) => {
  await signUp(page, uniqueEmail("layers"));
  await page.fill("textarea[name=prompt]", "Bees for a city blog");
  await page.locator("details.paste summary").click();
  await page.fill("textarea[name=source_text]", TEXT);
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline")).toBeVisible();
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL("**/i/*");
  await waitForHydration(page);

  // One click (1 credit) makes a layered version; it appears in the family when ready.
  await page.getByTestId("make-editable").click();
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  const layered = page.getByTestId("version").nth(1);
  await expect(layered).toBeVisible({ timeout: 30_000 });
  await layered.click();
  await page.waitForURL("**/i/*");
  await waitForHydration(page);
  const editor = page.getByTestId("text-editor");
  await expect(editor).toBeVisible({ timeout: 30_000 });

  // Edit the title box's words and save: a new version, free.
  const title = editor.getByTestId("editor-box").first();
  await title.click();
  await page.getByTestId("editor-text").fill("Honey bees in Zürich");
  await expect(title).toContainText("Honey bees in Zürich");
  await page.getByTestId("editor-save").click();
  await expect(page.getByTestId("editor-saved")).toContainText("Saved as a new version");
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  const saved = page.getByTestId("editor-saved").getByRole("link");
  const href = await saved.getAttribute("href");
  const id = href!.split("/").pop();

  // The new words are in the SVG as text, and the PDF is served.
  const svg = await page.request.get(`/api/infographs/${id}/download/?format=svg`);
  expect(svg.status()).toBe(200);
  expect(svg.headers()["content-type"]).toBe("image/svg+xml");
  const text = (await svg.text()).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
  expect(text).toContain("Honey bees in Zürich");
  const pdf = await page.request.get(`/api/infographs/${id}/download/?format=pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

  // The saved version opens with its boxes, and the editor fits a phone.
  await saved.click();
  await page.waitForURL(`**/i/${id}`);
  await waitForHydration(page);
  await expect(page.getByTestId("text-editor").getByTestId("editor-box").first()).toContainText("Honey bees in Zürich");
  await looksRight(page, "editor", [360, 1366]);
});
