import { test, expect } from "@playwright/test";
import { uniqueEmail, submitSignUp, signIn, emailedLink } from "./helpers";

test("a new account has no credits until its address is confirmed", async ({ page }) => {
  const email = uniqueEmail("confirm");
  await submitSignUp(page, email);
  await expect(page.getByTestId("check-inbox")).toContainText(email);

  // Signing in works before confirming, with nothing to spend and a way to get the link again.
  await signIn(page, email, "password123");
  await expect(page.getByTestId("verify-banner")).toContainText(email);
  await expect(page.getByTestId("balance")).toHaveText("0 credits");
  await page.getByTestId("resend-verification").click();
  await expect(page.getByTestId("resend-outcome")).toHaveText("Sent. Check your inbox.");

  await page.goto(await emailedLink(email, "Confirm your email"));
  await expect(page.getByTestId("verify-outcome")).toContainText("confirmed");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await expect(page.getByTestId("verify-banner")).toHaveCount(0);

  // The link is good once.
  await page.goto(await emailedLink(email, "Confirm your email"));
  await expect(page.getByTestId("verify-outcome")).toContainText("already confirmed");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
});

test("signing up with a taken address looks the same and tells its owner", async ({ page }) => {
  const email = uniqueEmail("taken");
  await submitSignUp(page, email);
  const fresh = await page.getByTestId("check-inbox").innerText();
  await submitSignUp(page, email);
  const again = await page.getByTestId("check-inbox").innerText();
  expect(again).toBe(fresh);
  const warning = await emailedLink(email, "tried to sign up");
  expect(warning).toContain("/signin");
});
