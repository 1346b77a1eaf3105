import { test, expect, Page } from "@playwright/test";
import { uniqueEmail, submitSignUp, signIn, signUp, emailedLink, waitForHydration, looksRight } from "./helpers";

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

test("confirming signs in the browser that signed up; anywhere else it confirms and asks for the password", async ({ page, browser }) => {
  const email = uniqueEmail("elsewhere");
  await submitSignUp(page, email);
  const link = await emailedLink(email, "Confirm your email");

  // Another browser (the phone the email was read on): confirmed, then the sign-in page, told
  // why; a link alone never puts a browser into an account.
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await phonePage.goto(link);
  await phonePage.waitForURL((url) => url.pathname === "/signin");
  await expect(phonePage.getByTestId("verify-outcome")).toHaveText("Email confirmed — 10 credits added.");
  await expect(phonePage.getByTestId("balance")).toHaveCount(0);
  await looksRight(phonePage, "confirmed-elsewhere");
  await signIn(phonePage, email, "password123");
  await expect(phonePage.getByTestId("balance")).toHaveText("10 credits");

  // The browser that signed up, following a fresh sign-up's link: signed in, on the gallery.
  const second = uniqueEmail("here");
  await submitSignUp(page, second);
  await page.goto(await emailedLink(second, "Confirm your email"));
  await expect(page.getByTestId("verify-outcome")).toHaveText("Email confirmed — 10 credits added.");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await looksRight(page, "confirmed");

  // A used link signs nobody in.
  const third = await browser.newContext();
  const thirdPage = await third.newPage();
  await thirdPage.goto(link);
  await expect(thirdPage.getByTestId("verify-outcome")).toContainText("already confirmed");
  await expect(thirdPage.getByTestId("balance")).toHaveCount(0);
  await phone.close();
  await third.close();
});

test("a forgotten password is reset through an emailed link that works once", async ({ page, browser }) => {
  const email = uniqueEmail("forgot");
  await signUp(page, email);

  // Somewhere else, signed out: "Forgot your password?", by keyboard.
  const other = await browser.newContext();
  const visitor = await other.newPage();
  await visitor.goto("/signin");
  await waitForHydration(visitor);
  await visitor.getByTestId("forgot-password").click();
  await visitor.waitForURL((url) => url.pathname === "/reset-password");
  await waitForHydration(visitor);
  await looksRight(visitor, "reset-ask");
  await visitor.getByLabel("Email").focus();
  await visitor.keyboard.type(email);
  await visitor.keyboard.press("Tab");
  await expect(visitor.getByRole("button", { name: "Email me a link" })).toBeFocused();
  await visitor.keyboard.press("Enter");
  await expect(visitor.getByTestId("reset-sent")).toContainText(`If an account uses ${email}, we have sent it a link`);

  const link = await emailedLink(email, "Reset your Infograph password");
  await visitor.goto(link);
  await waitForHydration(visitor);
  await expect(visitor.getByTestId("reset-email")).toHaveText(email);
  await looksRight(visitor, "reset-choose");
  // Too short: said next to the field, nothing changes.
  await visitor.fill("input[name=password]", "short");
  await visitor.locator("input[name=password]").evaluate((el) => el.removeAttribute("minlength"));
  await visitor.getByTestId("reset-submit").click();
  await expect(visitor.locator(".field-error[data-field=password]")).toContainText("at least 8");
  await visitor.fill("input[name=password]", "my new password");
  await visitor.getByTestId("reset-submit").click();
  await visitor.waitForURL((url) => url.pathname === "/" && url.search.includes("password=changed"));
  await expect(visitor.getByTestId("password-outcome")).toContainText("Your password is changed and you are signed in.");
  await expect(visitor.getByTestId("balance")).toHaveText("10 credits");

  // The first browser's session ended with the old password.
  await page.reload();
  await expect(page.getByTestId("balance")).toHaveCount(0);

  // Used: the link says so and offers a new one.
  await visitor.goto(link);
  await expect(visitor.getByTestId("reset-link-error")).toContainText("used already");
  await looksRight(visitor, "reset-used");
  await visitor.getByRole("link", { name: "Ask for a new link" }).click();
  await visitor.waitForURL((url) => url.pathname === "/reset-password" && !url.search);

  // The new password signs in; the old one does not.
  await page.goto("/signin");
  await waitForHydration(page);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "password123");
  await page.click("main form button[type=submit]");
  await expect(page.locator(".form-error")).toContainText("wrong email or password");
  await signIn(page, email, "my new password");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await other.close();
});

test("unnamed API tokens are numbered, and the form says so; signing out everywhere is a danger action", async ({ page }) => {
  await signUp(page, uniqueEmail("tokens"));
  await page.goto("/settings");
  await waitForHydration(page);
  const name = page.getByTestId("token-name");
  await expect(name).toHaveAttribute("placeholder", "Token 1");
  await page.getByTestId("token-create").click();
  await expect(page.getByTestId("token-secret")).toBeVisible();
  await expect(page.getByTestId("token-row")).toHaveAttribute("data-name", "Token 1");
  await expect(name).toHaveAttribute("placeholder", "Token 2");
  await expect(page.getByTestId("token-default-name")).toHaveText("Token 2");
  await page.getByTestId("token-create").click();
  await expect(page.getByTestId("token-row")).toHaveCount(2);
  expect(await page.getByTestId("token-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")))).toEqual(["Token 2", "Token 1"]);

  const everywhere = page.getByTestId("sign-out-everywhere");
  await expect(everywhere).toHaveClass(/danger/);
  await expect(everywhere).toHaveAccessibleDescription(/every device/);
  await looksRight(page, "settings-tokens");
  await everywhere.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByTestId("balance")).toHaveCount(0);
});
