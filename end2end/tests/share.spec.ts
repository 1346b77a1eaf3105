import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { uniqueEmail, signUp, createStoredAndOpen } from "./helpers";

test("share from the viewer, open the link signed out, copy the embed, turn it off", async ({ page, browser, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signUp(page, uniqueEmail("share"));
  await createStoredAndOpen(page, "How tides work");

  // Alt text: written from the brief, editable.
  const alt = page.getByTestId("alt-text");
  await expect(alt).toHaveValue("Infographic: How tides work.");
  await alt.fill("The Moon's pull makes two high tides a day.");
  await page.getByTestId("alt-save").click();
  await expect(page.getByTestId("alt-save")).toHaveText("Saved");

  await page.getByTestId("share").click();
  const url = page.getByTestId("share-url");
  await expect(url).toHaveValue(/\/s\/[A-Za-z0-9_-]{40,}$/);
  const link = await url.inputValue();
  await expect(page.getByTestId("share-views")).toHaveText("Not opened yet.");

  // The embed snippet, copied to the clipboard.
  const html = page.getByTestId("embed-html");
  await expect(html).toHaveValue(/^<figure>/);
  await expect(html).toHaveValue(/alt="The Moon&#39;s pull makes two high tides a day."/);
  await expect(html).toHaveValue(/loading="lazy"/);
  await page.getByTestId("embed-html-copy").click();
  await expect(page.getByTestId("embed-html-copy")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await html.inputValue());
  await expect(page.getByTestId("embed-markdown")).toHaveValue(/^\[!\[The Moon's pull/);
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);

  // A stranger's browser: no cookies, no sign-in; the picture, its words, nothing private.
  const stranger = await browser.newContext();
  const visitor = await stranger.newPage();
  const response = await visitor.goto(link);
  expect(response?.status()).toBe(200);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("How tides work");
  const img = visitor.getByTestId("shared-image").locator("img");
  await expect(img).toHaveAttribute("alt", "The Moon's pull makes two high tides a day.");
  expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await expect(visitor.locator("body")).not.toContainText("credit");
  await expect(visitor.locator("script")).toHaveCount(0);
  expect((await new AxeBuilder({ page: visitor }).analyze()).violations.map((v) => v.id)).toEqual([]);
  await visitor.setViewportSize({ width: 360, height: 740 });
  expect(await visitor.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // The owner sees the view; turning the link off makes it gone for the visitor.
  await page.reload();
  await expect(page.getByTestId("share-views")).toHaveText("Opened once.");
  await page.getByTestId("share-stop").click();
  await page.getByTestId("share-stop-confirm-yes").click();
  await expect(page.getByTestId("share")).toBeVisible();
  const gone = await visitor.goto(link);
  expect(gone?.status()).toBe(410);
  await expect(visitor.getByTestId("share-gone")).toContainText("turned off");
  await stranger.close();
});
