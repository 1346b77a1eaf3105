import { test, expect, Page } from "@playwright/test";
import { uniqueEmail, signUp, signIn } from "./helpers";

async function create(page: Page, prompt: string) {
  await page.fill("textarea[name=prompt]", prompt);
  await page.click("form.create-form button[type=submit]");
}

test("cancel refunds, settings refill the form, regenerate, download and delete", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signUp(page, uniqueEmail("manage"));

  // A slow emulated job stays in fal's queue long enough to be cancelled there.
  await create(page, "[emulator:slow] Cancel me please");
  const cards = page.getByTestId("card");
  await expect(cards).toHaveCount(1);
  await expect(page.getByTestId("balance")).toHaveText("9 credits");
  const byId = async (card: ReturnType<Page["locator"]>) =>
    page.locator(`[data-testid=card][data-id="${await card.getAttribute("data-id")}"]`);
  const slow = await byId(cards.first());
  await slow.getByTestId("cancel").click();
  await expect(slow).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(slow.getByTestId("refund")).toBeVisible();
  await expect(page.getByTestId("balance")).toHaveText("10 credits", { timeout: 10_000 });

  // "Use these settings" puts the card's prompt and format back into the form.
  await page.fill("textarea[name=prompt]", "");
  await slow.getByTestId("use-settings").click();
  await expect(page.locator("textarea[name=prompt]")).toHaveValue("[emulator:slow] Cancel me please");
  await expect(page.locator("select[name=aspect_ratio]")).toHaveValue("16:9");

  // A normal job, then one more like it.
  await page.selectOption("select[name=aspect_ratio]", "1:1");
  await create(page, "Bees and pollination");
  await expect(cards).toHaveCount(2);
  const bees = await byId(cards.first());
  await expect(bees).toContainText("Bees and pollination");
  await expect(bees).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await bees.getByTestId("regenerate").click();
  await expect(cards).toHaveCount(3);
  await expect(page.getByTestId("balance")).toHaveText("8 credits");

  // Download: a file named after the prompt.
  const [download] = await Promise.all([page.waitForEvent("download"), bees.getByTestId("download").click()]);
  expect(download.suggestedFilename()).toMatch(/^infograph-bees-and-pollination-[0-9a-f]{8}\.(png|svg|jpg|webp)$/);

  // Delete hides the cancelled card; the balance does not move.
  await slow.getByTestId("delete").click();
  await slow.getByTestId("delete-confirm-yes").click();
  await expect(cards).toHaveCount(2);
  await page.reload();
  await expect(cards).toHaveCount(2);
  await expect(page.getByTestId("balance")).toHaveText("8 credits");
  expect(errors).toEqual([]);
});

test("the create form shows the rate limit", async ({ page }) => {
  await signUp(page, uniqueEmail("ratelimit"));
  // The limit (ten a minute, the default) is a burst of ten, then one every six seconds, with no
  // clock-minute edge. Twelve sends at once from this page: ten pass, the rest are refused before
  // any charge.
  const statuses = await page.evaluate(async () => {
    const send = (i: number) => fetch("/sfn/create_infographs", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ prompt: `Limit test ${i}` }).toString(),
    }).then((r) => r.status);
    return Promise.all(Array.from({ length: 12 }, (_, i) => send(i)));
  });
  expect(statuses.filter((s) => s === 201 || s === 200)).toHaveLength(10);
  expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  // The form, right after, says so.
  await create(page, "One too many");
  await expect(page.getByTestId("form-error")).toContainText("too many requests");
  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("0 credits");
});

test("admins see the dashboard and grant credits; others get a 404", async ({ page, browser }) => {
  const customer = uniqueEmail("customer");
  await signUp(page, customer);
  await create(page, "A job for the admin to see");
  // The job exists once its card is on the page: leaving sooner could cancel the send.
  await expect(page.getByTestId("card")).toHaveCount(1);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();

  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, "admin@e2e.local", "admin-password");
  await adminPage.getByTestId("admin-link").click();
  await expect(adminPage.getByTestId("admin")).toBeVisible();
  // Every user's jobs, newest first (other tests, running alongside, may have pushed the
  // customer's off the first page).
  await expect(adminPage.getByTestId("jobs-table").locator("tbody tr").first()).toBeVisible();

  // Filter: the customer's jobs only, by email.
  await adminPage.fill("input[name=user]", customer);
  await adminPage.click(".admin-filters button[type=submit]");
  await expect(adminPage).toHaveURL(/user=/);
  await expect(adminPage.getByTestId("jobs-total")).toContainText("1 job —");
  await expect(adminPage.getByTestId("jobs-table")).toContainText("A job for the admin to see");
  // A direct load of the filtered URL (server-rendered, then hydrated) shows the same.
  await adminPage.reload();
  await expect(adminPage.getByTestId("jobs-total")).toContainText("1 job —");
  await expect(adminPage.locator("input[name=user]")).toHaveValue(customer);

  // Grant 5 credits to the customer; the ledger shows the admin's row.
  await adminPage.fill("input.admin-search", customer);
  await adminPage.press("input.admin-search", "Enter");
  const row = adminPage.locator(`[data-testid=user-row][data-email="${customer}"]`);
  await expect(row).toHaveCount(1);
  await row.getByTestId("user-open").click();
  await adminPage.fill("[data-testid=grant-amount]", "5");
  await adminPage.click("[data-testid=grant-submit]");
  await expect(adminPage.getByTestId("grant-ok")).toContainText("New balance: 14");
  await expect(adminPage.getByTestId("ledger-row").first()).toContainText("grant");
  await expect(row.getByTestId("user-balance")).toHaveText("14");

  await page.goto("/");
  await expect(page.getByTestId("balance")).toHaveText("14 credits");
});
