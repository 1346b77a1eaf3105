import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { uniqueEmail, signUp, signIn, waitForHydration } from "./helpers";

// Every page, as a person on a phone, a tablet and a laptop sees it: nothing wider than the
// screen, controls big enough to touch, and no accessibility violation axe can find.
const WIDTHS = [360, 390, 768];
const SHOTS = process.env.PAGE_SHOTS;

/** Where a page scrolls sideways, what sticks out (for the failure message). */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide };
  });
}

/** Visible controls smaller than 44 × 44 CSS px (links inside running text are exempt). */
async function smallTargets(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("button, select, summary, input:not([type=hidden]), textarea, .topbar a, nav a, a.button")]
      .filter((el) => {
        // A checkbox or radio is touched through its label: the label's box is the target.
        const input = el as HTMLInputElement;
        const target = (input.type === "checkbox" || input.type === "radio") && el.closest("label") ? (el.closest("label") as Element) : el;
        const r = target.getBoundingClientRect();
        const style = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && (r.height < 44 || r.width < 44);
      })
      .map((el) => {
        const r = el.getBoundingClientRect();
        return `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`;
      }),
  );
}

async function checkPage(page: Page, path: string, name: string, hydrates: boolean) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const response = await page.goto(path);
    expect(response?.status(), `${path} loads`).toBeLessThan(500);
    if (hydrates) await waitForHydration(page);
    const o = await overflow(page);
    expect(o.scrollWidth, `${name} at ${width} px: ${o.wide.join(", ")}`).toBeLessThanOrEqual(o.innerWidth);
    if (width <= 390) {
      expect(await smallTargets(page), `${name} at ${width} px: touch targets under 44 px`).toEqual([]);
    }
    if (SHOTS && width === 390) await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(path);
  if (hydrates) await waitForHydration(page);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-1366.png`, fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  const found = axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `${name}: axe violations`).toEqual([]);
}

test("signed out: the landing page, sign-in, sign-up and a missing page", async ({ page }) => {
  await checkPage(page, "/", "landing", false);
  await checkPage(page, "/signin", "signin", true);
  await checkPage(page, "/signup", "signup", true);
  await checkPage(page, "/no-such-page", "not-found", false);
});

test("signed in: the gallery, the viewer, settings and the admin dashboard", async ({ page }) => {
  await signUp(page, uniqueEmail("pages"));
  await page.fill("textarea[name=prompt]", "The history of the bicycle");
  await page.selectOption("select[name=number_of_infographs]", "2");
  await page.click("form.create-form button[type=submit]");
  await expect(page.getByTestId("form-ok")).toHaveText("Started 2 infographics for 2 credits.");
  const cards = page.getByTestId("card");
  await expect(cards).toHaveCount(2);
  for (const i of [0, 1]) await expect(cards.nth(i)).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const id = (await cards.first().getAttribute("data-id")) as string;

  // The header folds its links into a menu on a phone, and the menu works from the keyboard.
  await page.setViewportSize({ width: 360, height: 740 });
  const menu = page.locator("details.menu");
  await expect(menu.locator("nav")).toBeHidden();
  await menu.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("settings-link")).toBeVisible();

  await checkPage(page, "/", "gallery", true);
  await checkPage(page, `/i/${id}`, "viewer", true);
  await checkPage(page, "/settings", "settings", true);

  await page.context().clearCookies();
  await signIn(page, "admin@e2e.local", "admin-password");
  await checkPage(page, "/admin", "admin", true);
  // The figures per model are captioned tables (axe and the widths above checked them with the page).
  await expect(page.getByTestId("model-stats").locator("caption")).toHaveText(["Last 30 days", "All time"]);
});

test("pictures come as WebP with their size, the first ones eagerly", async ({ page }) => {
  await signUp(page, uniqueEmail("pictures"));
  await page.fill("textarea[name=prompt]", "Four seasons");
  await page.selectOption("select[name=number_of_infographs]", "4");
  await page.click("form.create-form button[type=submit]");
  const cards = page.getByTestId("card");
  await expect(cards).toHaveCount(4);
  for (const i of [0, 1, 2, 3]) {
    await expect(cards.nth(i).locator("source[type='image/webp']")).toHaveCount(1, { timeout: 30_000 });
  }
  await page.reload();
  await waitForHydration(page);
  const imgs = page.locator("[data-testid=card] img");
  await expect(imgs).toHaveCount(4);
  const loading = await imgs.evaluateAll((all) => all.map((img) => [img.getAttribute("loading"), img.getAttribute("fetchpriority")]));
  expect(loading).toEqual([["eager", "high"], ["eager", "high"], ["eager", "high"], ["lazy", null]]);
  for (const attr of ["width", "height"]) expect(await imgs.first().getAttribute(attr)).toMatch(/^\d+$/);
  // The browser took the WebP, and it is one; a phone's denser screen gets a larger one.
  const srcset = (await cards.first().locator("source").getAttribute("srcset")) as string;
  expect(srcset).toMatch(/-thumb\.webp \d+w, .*-w600\.webp 600w, .*-w700\.webp 700w, .*-w800\.webp 800w, .*-w1200\.webp \d+w$/);
  const webp = srcset.split(" ")[0];
  const res = await page.request.get(webp);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("image/webp");
  const current = await imgs.first().evaluate((img) => (img as HTMLImageElement).currentSrc);
  expect(current).toContain("-thumb.webp");
});
