import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { uniqueEmail, signUp, waitForHydration } from "./helpers";
import { stripeURL, stripeWebhookSecret } from "../playwright.config";

test("buy a pack on /billing with Stripe's card form; the balance rises without a reload", async ({ page, request, baseURL }) => {
  // Stripe's side: our webhook endpoint, registered as one would in Stripe's dashboard.
  const hook = await request.post(`${stripeURL}/_config/webhooks/e2e`, {
    form: { url: `${baseURL}/api/billing/stripe/webhook/`, secret: stripeWebhookSecret },
  });
  expect(hook.status()).toBe(200);

  await signUp(page, uniqueEmail("buyer"));
  // The balance in the header leads to the billing page.
  await page.getByTestId("balance").click();
  await page.waitForURL("**/billing");
  await waitForHydration(page);
  await expect(page.getByTestId("packs").locator("li")).toHaveCount(3);
  await expect(page.getByTestId("packs")).toContainText("$0.40 a credit");
  expect((await new AxeBuilder({ page }).exclude("#card-element").analyze()).violations.map((v) => v.id)).toEqual([]);

  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByLabel("50 credits — $20.00").check();
  await expect(page.getByTestId("pay")).toHaveText("Pay $20.00");
  // localstripe's card element: plain inputs (Stripe's real one is a frame).
  const card = page.getByTestId("card-element");
  await card.getByPlaceholder("number").pressSequentially("4242424242424242");
  await card.getByPlaceholder("exp_month").pressSequentially("12");
  await card.getByPlaceholder("exp_year").pressSequentially("30");
  await card.getByPlaceholder("cvc").pressSequentially("123");
  await card.getByPlaceholder("postal_code").pressSequentially("75001");
  await page.getByTestId("pay").click();

  // Credited by Stripe's webhook; the page only watched the purchase.
  await expect(page.getByTestId("purchase-ok")).toHaveText("Thank you! 50 credits were added to your balance.");
  await expect(page.getByTestId("balance")).toHaveText("60 credits");
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // The receipt, in the purchase list and in Settings.
  await page.reload();
  await expect(page.getByTestId("purchases").locator("tr[data-status=succeeded]")).toHaveCount(1);
  await page.goto("/settings");
  await expect(page.getByTestId("purchases")).toContainText("$20.00");
});

test("a declined card says why and credits nothing", async ({ page, request, baseURL }) => {
  await request.post(`${stripeURL}/_config/webhooks/e2e`, {
    form: { url: `${baseURL}/api/billing/stripe/webhook/`, secret: stripeWebhookSecret },
  });
  await signUp(page, uniqueEmail("declined"));
  await page.goto("/billing");
  await waitForHydration(page);
  const card = page.getByTestId("card-element");
  await card.getByPlaceholder("number").pressSequentially("4000000000000341");
  await card.getByPlaceholder("exp_month").pressSequentially("12");
  await card.getByPlaceholder("exp_year").pressSequentially("30");
  await card.getByPlaceholder("cvc").pressSequentially("123");
  await card.getByPlaceholder("postal_code").pressSequentially("75001");
  await page.getByTestId("pay").click();
  await expect(page.getByTestId("purchase-error")).toContainText("declined");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
});
