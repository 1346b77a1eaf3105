import { defineConfig } from "@playwright/test";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// localstripe (PyPI, installed by `make test` into .tools/venv): a Stripe API server with a
// Stripe.js stand-in; the billing test registers our webhook with it.
const stripePort = Number(process.env.E2E_STRIPE_PORT ?? 3190);
export const stripeURL = `http://127.0.0.1:${stripePort}`;
export const stripeWebhookSecret = "whsec_e2e_infograph";
// A fresh database per run, so the tests never see an earlier run's accounts. Workers load this
// file too: they inherit the runner's folder through the environment (the tests read the
// server's email outbox in it).
const dataDir = process.env.E2E_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "infograph-e2e-"));
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 20_000 },
  // Each test signs up its own account, so files run side by side (a file's tests in order);
  // two workers fit the 2-core machines beside the server (E2E_WORKERS to change it).
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
  webServer: [{
    command: `../.tools/venv/bin/localstripe --port ${stripePort} --from-scratch`,
    url: `${stripeURL}/js.stripe.com/v3/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "ignore",
    stderr: "pipe",
  }, {
    // An admin account for the dashboard tests, then the server.
    command:
      "../target/debug/infograph user add admin@e2e.local --password admin-password --credits 100 --admin --if-missing" +
      " && exec ../target/debug/infograph serve",
    url: `${baseURL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "../target/site",
      // The built-in fal emulator, asked for explicitly (without it or FAL_KEY the server refuses).
      FAL_EMULATOR: "true",
      FAL_EMULATOR_DELAY_MS: "4000",
      SIGNUP_CREDITS: "10",
      // The suite signs up a dozen accounts from one address; the limit itself is tested in Rust.
      SIGNUP_RATE_PER_HOUR: "0",
      // One access line per request would drown the test output: only failing requests.
      RUST_LOG: "info,access=warn",
      STRIPE_SECRET_KEY: "sk_test_e2e",
      STRIPE_PUBLISHABLE_KEY: "pk_test_e2e",
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      STRIPE_API_BASE: stripeURL,
      STRIPE_JS_URL: `${stripeURL}/js.stripe.com/v3/`,
    },
  }],
});
