// Browser tests against the real server binary built by `cargo leptos build --split`, in Debian's
// Chromium (never a downloaded browser). The server gets a fresh SQLite database each run.
const { defineConfig, devices } = require('@playwright/test');
const path = require('path');

const root = path.resolve(__dirname, '..');
const target = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const profile = process.env.E2E_PROFILE || 'debug';
const port = process.env.E2E_PORT || '3100';
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = path.join(__dirname, '.data');

module.exports = defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // The tests of one file run in order in one worker; files run side by side. Every test makes
  // its own people (unique names, per-file prefixes) in browser contexts of its own, and none
  // reads anything server-wide, so files do not meet in the shared server. E2E_WORKERS=1 runs
  // them one at a time.
  fullyParallel: false,
  // One worker: on two workers (E2E_WORKERS=2, 336–354 s instead of ~450 s) two tests each
  // failed once in four full runs (a chat switch right after a send, Up-to-edit), races in the
  // app that a loaded box exposes; until they are fixed, CI runs one worker and keeps one retry,
  // and the list reporter marks any test that needed it as flaky.
  workers: Number(process.env.E2E_WORKERS) || 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: `rm -rf "${dataDir}" && mkdir -p "${dataDir}" && exec "${path.join(target, profile, 'server')}"`,
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_OUTPUT_NAME: 'messenger',
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${dataDir}/e2e.db?mode=rwc`,
      RUST_LOG: 'warn',
    },
  },
});
