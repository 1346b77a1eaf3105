import { test, expect, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { uniqueEmail, signUp, looksRight, waitForHydration } from "./helpers";

/** The model choice's radio button for `id`, and the line under its name (price or reason). */
function model(page: Page, id: string) {
  const option = page.locator(`[data-testid=model-option][data-model="${id}"]`);
  return { radio: option.locator("input[name=model]"), note: option.getByTestId("model-note") };
}

test("choose the model: a draft from the Draft preset, then made the final", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signUp(page, uniqueEmail("models"));

  // The preset, pressed before the form's island is live, is held and replayed.
  await page.fill("textarea[name=prompt]", "Glaciers in numbers");
  await page.getByTestId("model-draft").click();
  await expect(page.getByTestId("model-draft")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("model-final")).toHaveAttribute("aria-pressed", "false");
  await expect(model(page, "nano-banana-2").radio).toBeChecked();
  await expect(model(page, "nano-banana-2").note).toHaveText("1 credit per image at 1K");
  await expect(page.getByTestId("generate")).toHaveText("Generate · 1 credit");

  // The keyboard moves through the group, skipping a model that cannot draw what is asked.
  await model(page, "nano-banana-2").radio.focus();
  await page.keyboard.press("ArrowDown");
  await expect(model(page, "ideogram-v3").radio).toBeChecked();
  await expect(model(page, "ideogram-v3").radio).toBeFocused();
  await expect(page.getByTestId("model-final")).toHaveAttribute("aria-pressed", "false");
  await page.keyboard.press("ArrowUp");
  await expect(model(page, "nano-banana-2").radio).toBeChecked();
  // At 1K Seedream (2K and 4K only) is disabled, with the reason in words beside it.
  await expect(model(page, "seedream-4.5").radio).toBeDisabled();
  await expect(model(page, "seedream-4.5").note).toHaveText("Seedream 4.5 does not draw at 1K; it offers 2K, 4K.");
  // Recraft V3 draws one image at a time: asking for two disables it.
  await page.selectOption("select[name=number_of_infographs]", "2");
  await expect(model(page, "recraft-v3").radio).toBeDisabled();
  await expect(model(page, "recraft-v3").note).toHaveText("Recraft V3 draws at most 1 image at a time.");
  await expect(page.getByTestId("generate")).toHaveText("Generate · 2 credits");
  await page.selectOption("select[name=number_of_infographs]", "1");
  await expect(model(page, "recraft-v3").radio).toBeEnabled();

  // Prices follow the resolution; so does what is disabled.
  await page.selectOption("select[name=resolution]", "4K");
  await expect(model(page, "nano-banana-2").note).toHaveText("2 credits per image at 4K");
  await expect(model(page, "seedream-4.5").note).toHaveText("1 credit per image at 4K");
  await expect(model(page, "seedream-4.5").radio).toBeEnabled();
  await expect(model(page, "ideogram-v3").radio).toBeDisabled();
  await expect(model(page, "ideogram-v3").note).toHaveText("Ideogram 3 (typography) does not draw at 4K; it offers 1K.");
  await expect(page.getByTestId("generate")).toHaveText("Generate · 2 credits");
  await model(page, "seedream-4.5").radio.check();
  await expect(page.getByTestId("generate")).toHaveText("Generate · 1 credit");
  // The chosen model is never disabled: when it cannot, it says why, and the server agrees
  // beside the field.
  await page.selectOption("select[name=resolution]", "1K");
  await expect(model(page, "seedream-4.5").radio).toBeEnabled();
  await expect(model(page, "seedream-4.5").note).toHaveClass(/refused/);
  await page.getByTestId("generate").click();
  await expect(page.locator(".field-error[data-field=model]")).toHaveText("Seedream 4.5 does not draw at 1K; it offers 2K, 4K.");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");

  await page.getByTestId("model-draft").click();
  await expect(page.locator(".field-error[data-field=model]")).toHaveCount(0);
  await looksRight(page, "models-form", [360, 390, 1366]);

  await page.getByTestId("generate").click();
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
  const card = page.getByTestId("card").first();
  await expect(card.getByTestId("card-model")).toHaveText("Model: Nano Banana 2");
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const draftId = (await card.getAttribute("data-id")) as string;

  // The viewer says who drew it and offers the final at the final model's price.
  await card.getByTestId("open-viewer").click();
  await page.waitForURL(`**/i/${draftId}`);
  await waitForHydration(page);
  await expect(page.getByTestId("drawn-with")).toHaveText("Drawn with Nano Banana 2 (fast draft)");
  await expect(page.getByTestId("model")).toHaveText("Nano Banana 2 (fast draft)");
  await expect(page.getByTestId("version-model")).toHaveText(["Nano Banana 2"]);
  const finalize = page.getByTestId("finalize");
  await expect(finalize).toHaveText("Make this the final — redraw with Nano Banana Pro, 1 credit");
  await looksRight(page, "models-viewer", [360, 390, 1366]);

  await finalize.click();
  await page.waitForURL((url) => url.pathname.startsWith("/i/") && !url.pathname.endsWith(draftId));
  const viewer = page.getByTestId("viewer");
  await expect(viewer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page.getByTestId("drawn-with")).toHaveText("Drawn with Nano Banana Pro");
  await expect(page.getByTestId("finalize")).toHaveCount(0);
  await expect(page.getByTestId("balance")).toHaveText("8 credits");

  // Back in the gallery both are there, each with its model.
  await page.goto("/");
  await expect(page.getByTestId("card-model")).toHaveText(["Model: Nano Banana Pro", "Model: Nano Banana 2"]);
  expect(errors).toEqual([]);
});

test("a picture whose model cannot refine is refined with one chosen for it, at its price", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signUp(page, uniqueEmail("models-refine"));
  await page.fill("textarea[name=prompt]", "Bees in numbers");
  await model(page, "recraft-v4.1-vector").radio.check();
  await expect(page.getByTestId("generate")).toHaveText("Generate · 1 credit");
  await page.getByTestId("generate").click();
  const card = page.getByTestId("card").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL("**/i/*");
  await waitForHydration(page);
  await expect(page.getByTestId("drawn-with")).toHaveText("Drawn with Recraft V4.1 Vector (SVG)");

  // Its download is the SVG, sanitised; the PNG is offered beside it.
  await expect(page.getByTestId("download")).toHaveText("Download SVG");
  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  expect(svg.suggestedFilename()).toMatch(/\.svg$/);
  const text = readFileSync(await svg.path(), "utf8");
  expect(text).toContain("<svg");
  expect(text).not.toMatch(/<script|onload=|foreignObject/i);
  const [png] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-png").click()]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  expect(readFileSync(await png.path()).subarray(1, 4).toString()).toBe("PNG");

  await expect(page.getByTestId("refine-model-why")).toHaveText(
    "Recraft V4.1 Vector (SVG) cannot refine a picture. Choose the model that refines it:",
  );
  const choice = page.getByTestId("refine-model");
  await expect(choice.locator("option").first()).toHaveText("Nano Banana Pro — 1 credit per version at 1K");
  await choice.selectOption("nano-banana-2");
  await page.fill("textarea[name=instruction]", "make the title larger");
  await page.getByTestId("refine").click();
  await expect(page.getByTestId("refine-ok")).toHaveText("Started 1 refinement for 1 credit.");
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  const versions = page.getByTestId("version");
  await expect(versions).toHaveCount(2);
  await expect(page.getByTestId("version-model")).toHaveText(["Recraft V4.1 Vector", "Nano Banana 2"]);
  expect(errors).toEqual([]);
});
