import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { uniqueEmail, signUp, signIn, waitForHydration } from "./helpers";

const TEXT = `Remote work in numbers
In 2024, 58 % of office workers worked from home at least once a week. Most of them were parents.
The average commute took 54 minutes a day. Hybrid workers saved 2 hours a week.
On Fridays 1 in 3 desks stood empty. Landlords cut rents by 12 % in city centres.`;

async function create(page: Page, prompt: string) {
  await page.fill("textarea[name=prompt]", prompt);
  await page.click("form.create-form button[type=submit]");
}

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`);
}

/** The card made by the last create (the newest is first). */
async function newestCard(page: Page) {
  const first = page.getByTestId("card").first();
  const id = (await first.getAttribute("data-id")) as string;
  return { id, card: page.locator(`[data-testid=card][data-id="${id}"]`) };
}

/** Opens the viewer of a completed picture made from `prompt`. */
async function completedViewer(page: Page, prompt: string) {
  await create(page, prompt);
  const { id, card } = await newestCard(page);
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await page.goto(`/i/${id}`);
  await waitForHydration(page);
  return id;
}

test("delete asks first and says what breaks; Escape keeps the picture and the keyboard's place", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-delete"));
  await create(page, "Tides of the North Sea");
  const { card } = await newestCard(page);
  await card.getByTestId("delete").click();
  const question = card.getByTestId("delete-confirm");
  await expect(question).toContainText("Delete this picture? If you shared it, its public link and every embed of it stop working.");
  await expect(card.getByTestId("delete-confirm-no")).toBeFocused();
  expect(await axe(page)).toEqual([]);

  await page.keyboard.press("Escape");
  await expect(question).toHaveCount(0);
  await expect(card.getByTestId("delete")).toBeFocused();
  await page.reload();
  await expect(page.getByTestId("card")).toHaveCount(1);

  await waitForHydration(page);
  await page.getByTestId("card").first().getByTestId("delete").click();
  await page.getByTestId("delete-confirm-yes").click();
  await expect(page.getByTestId("card")).toHaveCount(0);
  await expect(page.locator("#gallery-heading")).toBeFocused();
});

test("sharing keeps the keyboard's place, and stopping asks first with the link's opens", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-share"));
  await completedViewer(page, "How tides work");
  await page.getByTestId("share").click();
  await expect(page.getByTestId("share-url")).toBeFocused();

  await page.getByTestId("share-stop").click();
  const question = page.getByTestId("share-stop-confirm");
  await expect(question).toContainText("Stop sharing? Its public link and every embed of it");
  await expect(page.getByTestId("share-stop-confirm-no")).toBeFocused();
  expect(await axe(page)).toEqual([]);
  await page.keyboard.press("Escape");
  await expect(question).toHaveCount(0);
  await expect(page.getByTestId("share-stop")).toBeFocused();

  // Opened once by someone else: the question says so.
  const link = await page.getByTestId("share-url").inputValue();
  const visitor = await page.context().browser()!.newPage();
  await visitor.goto(link);
  await visitor.close();
  await page.reload();
  await waitForHydration(page);
  await page.getByTestId("delete").click();
  await expect(page.getByTestId("delete-confirm")).toContainText("Its public link, opened once, and every embed of it stop working.");
  await page.getByTestId("delete-confirm-no").click();
  await expect(page.getByTestId("delete")).toBeFocused();
  await page.getByTestId("share-stop").click();
  await expect(question).toContainText("Its public link, opened once, and every embed");
  await page.getByTestId("share-stop-confirm-yes").click();
  await expect(page.getByTestId("share")).toBeFocused();
});

test("the form's work survives a reload and a trip to Settings until it is sent or its account signs out; an edited outline is not replaced unasked", async ({ page }) => {
  const ann = uniqueEmail("trust-draft-ann");
  await signUp(page, ann);
  await page.fill("textarea[name=prompt]", "Remote work for HR people");
  await page.locator("details.paste summary").click();
  await page.fill("textarea[name=source_text]", TEXT);
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline-title")).toHaveValue("Remote work in numbers");
  // Not edited: written again without a question.
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline-replace")).toHaveCount(0);
  await expect(page.getByTestId("review-outline")).toHaveText("Outline again");
  await page.getByTestId("outline-title").fill("Working from home, by the numbers");
  await page.fill("input[name=blog_url]", "https://example.com/remote");

  // Edited: "Outline again" asks; keeping the edits keeps them.
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline-replace")).toContainText("Replace your edited outline?");
  await page.getByTestId("outline-replace-no").click();
  await expect(page.getByTestId("outline-title")).toHaveValue("Working from home, by the numbers");
  await expect(page.getByTestId("review-outline")).toBeFocused();

  // A reload (or a trip to Settings) brings everything back.
  await page.goto("/settings");
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("Remote work for HR people");
  await expect(page.locator("input[name=blog_url]")).toHaveValue("https://example.com/remote");
  await expect(page.locator("textarea[name=source_text]")).toHaveValue(TEXT);
  await expect(page.locator("textarea[name=source_text]")).toBeVisible();
  await expect(page.getByTestId("outline-title")).toHaveValue("Working from home, by the numbers");
  await page.getByTestId("review-outline").click();
  await expect(page.getByTestId("outline-replace")).toBeVisible();
  await page.keyboard.press("Escape");

  // Signing out takes the draft with it (a shared computer): the next account sees none of it.
  await page.locator("form[action='/sfn/sign_out'] button").click();
  await page.waitForURL((url) => url.pathname === "/");
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("infograph-draft-")))).toEqual([]);
  await signUp(page, uniqueEmail("trust-draft-bob"));
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("");
  await expect(page.getByTestId("outline")).toHaveCount(0);

  // Back to the first account: a new draft is kept until it is sent, then it is gone.
  await page.locator("form[action='/sfn/sign_out'] button").click();
  await page.waitForURL((url) => url.pathname === "/");
  await signIn(page, ann, "password123");
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("");
  await page.fill("textarea[name=prompt]", "Remote work for HR people");
  await expect.poll(() => page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("infograph-draft-")))).toBe(true);
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("Remote work for HR people");
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("form-ok")).toHaveText("Started 1 infographic for 1 credit.");
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("");
  await expect(page.getByTestId("outline")).toHaveCount(0);
});

test("the button says what a send costs, long texts are counted not cut, and errors go when their field changes", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-form"));
  const generate = page.getByTestId("generate");
  await expect(generate).toHaveText("Generate · 1 credit");
  // The first use wakes the form (a click or a tap on a list does the same).
  await page.locator("select[name=resolution]").focus();
  await page.selectOption("select[name=resolution]", "4K");
  await expect(generate).toHaveText("Generate · 2 credits");
  await page.selectOption("select[name=number_of_infographs]", "3");
  await expect(generate).toHaveText("Generate · 6 credits");
  await page.getByTestId("preset-square").click();
  await expect(generate).toHaveText("Generate · 3 credits");
  await page.selectOption("select[name=number_of_infographs]", "1");

  // Pasted past the limit: all of it stays, and the counter says by how much.
  const prompt = page.locator("textarea[name=prompt]");
  await expect(prompt).not.toHaveAttribute("required", /.*/);
  await prompt.focus();
  await page.keyboard.insertText("x".repeat(5460));
  await expect(prompt).toHaveValue("x".repeat(5460));
  await expect(page.getByTestId("prompt-count")).toHaveText("5,460 / 4,000 characters — 1,460 too many");
  await expect(prompt).toHaveAttribute("aria-invalid", "true");
  await generate.click();
  const promptError = page.locator(".field-error[data-field=prompt]");
  await expect(promptError).toBeVisible();
  await prompt.press("Backspace");
  await expect(promptError).toHaveCount(0);
  await prompt.fill("Bees and pollination");
  await expect(page.getByTestId("prompt-count")).toHaveText("20 / 4,000 characters");

  // A refused address: its error goes when the address changes, and the text can be pasted instead.
  const blog = page.locator("input[name=blog_url]");
  const blogError = page.locator(".field-error[data-field=blog_url]");
  await blog.fill("ftp://example.com/post");
  await generate.click();
  await expect(blogError).toBeVisible();
  await blog.press("End");
  await blog.press("Backspace");
  await expect(blogError).toHaveCount(0);
  await generate.click();
  await expect(blogError).toBeVisible();
  await page.getByTestId("paste-instead").click();
  await expect(page.locator("textarea[name=source_text]")).toBeFocused();
  await expect(blog).toHaveValue("");
  await expect(blogError).toHaveCount(0);
  await page.keyboard.insertText("y".repeat(50_010));
  await expect(page.getByTestId("source-count")).toHaveText("50,010 / 50,000 characters — 10 too many");
  expect(await axe(page)).toEqual([]);
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
});

test("after a send the new card is on screen and has the keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signUp(page, uniqueEmail("trust-send"));
  await create(page, "Lighthouses of Brittany");
  const { card } = await newestCard(page);
  await expect(card).toBeFocused();
  await expect(card).toBeInViewport();
});

test("the keyboard can skip the header and always shows where it is", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-focus"));
  await create(page, "Windmills of the Netherlands");
  const { card } = await newestCard(page);
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await page.reload();
  await waitForHydration(page);

  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();

  // A ring at least 2 px wide, solid (not the browser's thin default), on a button, a link and
  // a picture's link (drawn inside its clipped card).
  const ring = (selector: string, pseudo: string | null = null) =>
    page.locator(selector).first().evaluate((el, pseudo) => {
      (el as HTMLElement).focus();
      const style = getComputedStyle(el, pseudo);
      return pseudo ? `${style.borderTopStyle} ${style.borderTopWidth}` : `${style.outlineStyle} ${style.outlineWidth}`;
    }, pseudo);
  expect(await ring("[data-testid=generate]")).toBe("solid 3px");
  expect(await ring("a.balance")).toBe("solid 3px");
  expect(await ring("[data-testid=open-viewer]", "::after")).toBe("solid 3px");
});

test("a cancelled job says so in neutral words, with its refund, and keeps the keyboard on its card", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-cancel"));
  await create(page, "[emulator:slow] Cancel me please");
  const { id, card } = await newestCard(page);
  await card.getByTestId("cancel").click();
  await expect(card).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(card.getByTestId("card-cancelled")).toContainText("Cancelled");
  await expect(card.getByTestId("refund")).toHaveText("Credits refunded.");
  await expect(card.getByTestId("card-error")).toHaveCount(0);
  await expect(card.locator(".badge")).toHaveText("cancelled");
  await expect(card).toBeFocused();
  await page.goto(`/i/${id}`);
  await expect(page.getByTestId("stage")).toContainText("Cancelled");
});

test("the ready toast links to the picture", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-toast"));
  await create(page, "Bridges of Porto");
  const { id } = await newestCard(page);
  await page.goto("/settings");
  await expect(page.locator("body[data-live=push]")).toHaveCount(1);
  const toast = page.getByTestId("toast");
  await expect(toast).toContainText("Your infographic is ready", { timeout: 30_000 });
  await expect(toast.getByTestId("toast-link")).toHaveAttribute("href", `/i/${id}`);
});

test("while a refinement runs the viewer shows its estimate", async ({ page }) => {
  await signUp(page, uniqueEmail("trust-refine"));
  await completedViewer(page, "Volcanoes of Iceland");
  await page.fill("textarea[name=instruction]", "[emulator:slow] make the title larger");
  await page.getByTestId("refine").click();
  const running = page.getByTestId("running-version");
  await expect(running).toHaveCount(1);
  await expect(running).toContainText("Version 2");
  await expect(running.getByRole("progressbar")).toBeVisible();
  await expect(running.getByTestId("progress-text")).not.toBeEmpty();
  expect(await axe(page)).toEqual([]);
});
