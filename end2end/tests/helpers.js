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

/** A new person in a browser context of their own, registered and online. */
async function newUser(browser, prefix, displayName, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const username = uniqueName(prefix);
  await register(page, { username, displayName });
  await expectOnline(page);
  return { context, page, username, displayName };
}

/** Opens a direct chat with `other` through "New chat", as a person would. */
async function startChatWith(page, other) {
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Search people').fill(other.username);
  await page.getByRole('button', { name: `Chat with ${other.displayName}` }).click();
  await expect(page).toHaveURL(/\/chat\/\d+$/);
  // The new chat is on screen (not the previous one, still shown while it loads).
  await expect(page.getByRole('main', { name: 'Conversation' })
    .getByRole('heading', { level: 1, name: other.displayName, exact: true })).toBeVisible();
}

/** Types `text` in the composer and presses Enter. */
async function send(page, text) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** The open conversation's messages. */
function thread(page) {
  return page.getByRole('list', { name: 'Messages' });
}

/** Answers the app's "Delete message?" question with "Delete for everyone". */
async function confirmDelete(page) {
  const dialog = page.getByRole('alertdialog', { name: 'Delete message?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
  await expect(dialog).toBeHidden();
}

/** axe-core on the page (or one part of it): no serious or critical violation. */
async function audit(page, label, part) {
  const AxeBuilder = require('@axe-core/playwright').default;
  let builder = new AxeBuilder({ page });
  if (part) builder = builder.include(part);
  const results = await builder.analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `${label}\n${summary.join('\n')}`).toEqual([]);
}

/**
 * A finger on `locator`: down, optionally moving right by `dx`, then up. A tap or a swipe is
 * dispatched in one go, within one task of the page, so no timer of the page (the long press's)
 * can run between down and up, however slow the machine. With `until` (a locator) the finger
 * stays down until that is visible: a long press held until its menu opens. (`holdMs` holds it
 * for a fixed time instead, which a slow machine can make too short.)
 */
async function touch(locator, { dx = 0, holdMs = 0, until } = {}) {
  const box = await locator.boundingBox();
  const x = box.x + 20;
  const y = box.y + box.height / 2;
  const base = { pointerType: 'touch', isPrimary: true, pointerId: 7, bubbles: true, cancelable: true, composed: true };
  const events = [['pointerdown', { ...base, clientX: x, clientY: y }]];
  for (let step = 1; step <= 4 && dx; step += 1) {
    events.push(['pointermove', { ...base, clientX: x + (dx * step) / 4, clientY: y + step }]);
  }
  const up = ['pointerup', { ...base, clientX: x + dx, clientY: y }];
  if (!until && !holdMs) {
    await locator.evaluate((element, all) => {
      for (const [type, init] of all) element.dispatchEvent(new PointerEvent(type, init));
    }, [...events, up]);
    return;
  }
  for (const [type, init] of events) await locator.dispatchEvent(type, init);
  if (until) await expect(until).toBeVisible();
  if (holdMs) await locator.page().waitForTimeout(holdMs);
  await locator.dispatchEvent(...up);
}

module.exports = { PASSWORD, uniqueName, register, login, expectOnline, newUser, startChatWith, send, thread, audit, confirmDelete, touch };
