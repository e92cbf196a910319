// Shared steps for the browser tests, written the way a person uses the app: by roles and
// labels, never by CSS classes.
const { expect } = require('@playwright/test');

const PASSWORD = 'correct horse battery';
let counter = 0;

/** A username unique to this run. */
function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

async function register(page, { username, displayName, password = PASSWORD }) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/chat$/);
}

async function login(page, { username, password = PASSWORD }) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Waits until the WASM has hydrated and the live connection is up. */
async function expectOnline(page) {
  await expect(page.getByTestId('connection-state')).toHaveText('Online', { timeout: 30_000 });
}

module.exports = { PASSWORD, uniqueName, register, login, expectOnline };
