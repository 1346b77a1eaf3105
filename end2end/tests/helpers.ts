import { expect, Page } from "@playwright/test";

/** An email no earlier run (the database is fresh per run) or other test uses. */
export function uniqueEmail(tag: string) {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the wasm has taken over, so forms submit through the app. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

/** Signs up with the server's SIGNUP_CREDITS (10) and lands on the home page. */
export async function signUp(page: Page, email: string) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "password123");
  await page.click("form button[type=submit]");
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await waitForHydration(page);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("form button[type=submit]");
  await page.waitForURL((url) => url.pathname === "/");
  await waitForHydration(page);
}
