import { test, expect } from "@playwright/test";
import * as http from "http";
import { AddressInfo } from "net";
import { uniqueEmail, signUp, waitForHydration } from "./helpers";

/** A page on another origin that posts a form to our server function as soon as it loads. */
async function hostileSite(target: string, enctype: string): Promise<{ url: string; close: () => void }> {
  const page = `<!doctype html><html lang="en"><title>Win a prize</title><body>
    <form method="post" action="${target}" enctype="${enctype}">
      <input name="prompt" value="Paid for by someone else"><input name="number_of_infographs" value="4">
    </form>
    <script>document.forms[0].submit()</script></body></html>`;
  const server = http.createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

test("a form on another site cannot spend a signed-in user's credits", async ({ page, baseURL }) => {
  await signUp(page, uniqueEmail("csrf"));
  for (const enctype of ["application/x-www-form-urlencoded", "text/plain"]) {
    const evil = await hostileSite(`${baseURL}/sfn/create_infographs`, enctype);
    const refused = page.waitForResponse((r) => r.url().endsWith("/sfn/create_infographs"));
    await page.goto(evil.url);
    const response = await refused;
    expect(response.status()).toBe(403);
    expect((await response.json()).error).toBe("forbidden");
    evil.close();
  }
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByTestId("balance")).toHaveText("10 credits");
  await expect(page.locator(".card")).toHaveCount(0);
});

test("the content security policy lets every page hydrate with no console errors", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (message) => {
    // Error answers of server functions are logged by the browser as failed loads; they are
    // not what this test is about (there should be none here anyway).
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  // Signed out, the landing page is plain HTML: no wasm at all.
  await page.goto("/");
  await expect(page.locator("script[type=module]")).toHaveCount(0);
  await expect(page.getByTestId("examples").locator("img")).toHaveCount(3);
  for (const path of ["/signin", "/signup"]) {
    await page.goto(path);
    await waitForHydration(page);
  }
  await signUp(page, uniqueEmail("csp"));
  for (const path of ["/", "/settings"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
    await waitForHydration(page);
  }
  expect(problems).toEqual([]);
});
