import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "fs";
import * as path from "path";

/** An email no earlier run (the database is fresh per run) or other test uses. */
export function uniqueEmail(tag: string) {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the wasm has taken over, so forms submit through the app. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

/** Fills and sends the sign-up form; the page then says to check the inbox. */
export async function submitSignUp(page: Page, email: string) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "password123");
  await page.click("form button[type=submit]");
  await expect(page.getByTestId("check-inbox")).toBeVisible();
}

/**
 * The link in the newest email to `to` whose subject contains `subject`, read from the server's
 * outbox folder (the e2e server has no SMTP relay, so it writes `.eml` files there).
 */
export async function emailedLink(to: string, subject: string): Promise<string> {
  const outbox = path.join(process.env.E2E_DATA_DIR ?? "", "outbox");
  let link: string | undefined;
  await expect
    .poll(() => {
      const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith(".eml")) : [];
      for (const file of files) {
        const text = fs.readFileSync(path.join(outbox, file), "utf8");
        // Quoted-printable: soft line breaks and `=3D` for `=`.
        const unfolded = text.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
        if (unfolded.includes(`To: ${to}`) && unfolded.match(new RegExp(`Subject: .*${subject}`))) {
          link = unfolded.match(/https?:\/\/\S+/)?.[0];
        }
      }
      return link;
    }, { message: `an email to ${to} about ${subject}` })
    .toBeTruthy();
  return link as string;
}

/** Signs up and confirms the address through the emailed link, which signs in the browser that signed up: the home page with 10 credits. */
export async function signUp(page: Page, email: string) {
  await submitSignUp(page, email);
  await page.goto(await emailedLink(email, "Confirm your email"));
  await expect(page.getByTestId("verify-outcome")).toContainText("confirmed");
  await waitForHydration(page);
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  // The page's own form: a signed-in header has a sign-out form before it.
  await page.click("main form button[type=submit]");
  await page.waitForURL((url) => url.pathname === "/");
  await waitForHydration(page);
}

const SHOTS = process.env.PAGE_SHOTS;

/**
 * The page as it is, on a phone and on a laptop: nothing wider than the screen, no violation axe
 * can find (and screenshots under PAGE_SHOTS, when set).
 */
export async function looksRight(page: Page, name: string, widths = [390, 1366]) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`),
    );
    expect(wide, `${name} at ${width} px: what sticks out`).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `${name}: axe`).toEqual([]);
  }
}

/** Creates a picture from `prompt` with the form's defaults, waits until our copy is stored (the
 *  gallery then offers its WebP), and opens it in the viewer, ready for clicks. */
export async function createStoredAndOpen(page: Page, prompt: string) {
  await page.fill("textarea[name=prompt]", prompt);
  await page.click("form.create-form button[type=submit]");
  const card = page.getByTestId("card").first();
  await expect(card.locator("source[type='image/webp']")).toHaveCount(1, { timeout: 30_000 });
  await card.getByTestId("open-viewer").click();
  await page.waitForURL("**/i/*");
  await waitForHydration(page);
}
