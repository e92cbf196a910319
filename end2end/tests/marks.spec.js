// A person's own marks, as people use them: star a message and find it in "Starred messages",
// delete a message for yourself (the other person still has it, your other device loses it
// too), on a desktop with the mouse and on a phone with a finger, in both themes.
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread, audit, login, expectOnline } = require('./helpers');

async function pair(browser, prefix, options = {}) {
  const other = await newUser(browser, `${prefix}o`, `Olu ${prefix}`, options);
  const first = await newUser(browser, `${prefix}f`, `Fay ${prefix}`, options);
  await startChatWith(first.page, other);
  await other.page.getByRole('link', { name: new RegExp(first.displayName) }).click();
  await expect(other.page.getByRole('heading', { level: 1 })).toHaveText(first.displayName);
  return { first, other };
}

function bubbleOf(page, text) {
  return thread(page).getByRole('listitem').filter({ hasText: text }).locator('.bubble');
}

/** A finger held on `locator` long enough to open its menu. */
async function longPress(locator) {
  const box = await locator.boundingBox();
  const base = { pointerType: 'touch', isPrimary: true, pointerId: 9, bubbles: true };
  const at = { clientX: box.x + 20, clientY: box.y + box.height / 2 };
  await locator.dispatchEvent('pointerdown', { ...base, ...at });
  await locator.page().waitForTimeout(800);
  await locator.dispatchEvent('pointerup', { ...base, ...at });
}

test('star a message, find it in Starred messages, jump to it, unstar it', async ({ browser }) => {
  const { first, other } = await pair(browser, 'st');
  const { page } = first;
  await send(other.page, 'the address is 12 Elm St');
  await send(other.page, 'see you there');
  const bubble = bubbleOf(page, 'the address is 12 Elm St');
  await expect(bubble).toBeVisible();

  await bubble.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await menu.getByRole('menuitem', { name: 'Star', exact: true }).click();
  await expect(bubble.getByRole('img', { name: 'Starred' })).toBeVisible();
  // Olu sees no star: it is Fay's alone.
  await expect(bubbleOf(other.page, 'the address is 12 Elm St').getByRole('img', { name: 'Starred' })).toHaveCount(0);

  // The list, from the sidebar; its item opens the chat at the message.
  await page.getByRole('button', { name: 'Starred messages' }).click();
  const panel = page.getByRole('region', { name: 'Starred messages' });
  const item = panel.getByRole('link', { name: /the address is 12 Elm St/ });
  await expect(item).toBeVisible();
  await expect(item).toContainText(other.displayName);
  await audit(page, 'starred messages', '[aria-label="Starred messages"]');
  await page.screenshot({ path: 'test-results/starred-desktop-light.png' });
  await item.click();
  await expect(page).toHaveURL(/\/chat\/\d+\?m=\d+$/);
  await expect(bubble).toBeInViewport();

  // After a reload the star is still there (the server has it); unstarring empties the list.
  await page.reload();
  await expectOnline(page);
  const again = bubbleOf(page, 'the address is 12 Elm St');
  await expect(again.getByRole('img', { name: 'Starred' })).toBeVisible();
  await again.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Unstar' }).click();
  await expect(again.getByRole('img', { name: 'Starred' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Starred messages' }).click();
  await expect(page.getByText('No starred messages.')).toBeVisible();
  await page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(page.getByRole('link', { name: new RegExp(other.displayName) })).toBeVisible();

  await first.context.close();
  await other.context.close();
});

test('delete for me: gone on both my devices, still there for the other person', async ({ browser }) => {
  const { first, other } = await pair(browser, 'dm');
  const { page } = first;
  // Fay's second device, with the same chat open.
  const laptop = await browser.newContext();
  const second = await laptop.newPage();
  await login(second, { username: first.username });
  await expectOnline(second);
  await second.getByRole('link', { name: new RegExp(other.displayName) }).click();

  await send(other.page, 'keep this one');
  await send(other.page, 'embarrassing typo');
  await expect(bubbleOf(second, 'embarrassing typo')).toBeVisible();
  const doomed = bubbleOf(page, 'embarrassing typo');
  await doomed.click({ button: 'right' });
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Delete for me' }).click();
  const question = page.getByRole('alertdialog', { name: 'Delete message for you?' });
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await question.getByRole('button', { name: 'Delete for me' }).click();

  await expect(thread(page).getByText('embarrassing typo')).toHaveCount(0);
  await expect(thread(second).getByText('embarrassing typo')).toHaveCount(0);
  await expect(thread(other.page).getByText('embarrassing typo')).toBeVisible();
  await expect(thread(page).getByText('keep this one')).toBeVisible();
  // The chat list previews the message before it, and a reload keeps it gone.
  const row = page.getByRole('link', { name: new RegExp(other.displayName) });
  await expect(row).toContainText('keep this one');
  await page.reload();
  await expectOnline(page);
  await expect(thread(page).getByText('keep this one')).toBeVisible();
  await expect(thread(page).getByText('embarrassing typo')).toHaveCount(0);

  await laptop.close();
  await first.context.close();
  await other.context.close();
});

test('on a phone: long press stars and deletes for me, in the dark theme', async ({ browser }) => {
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, colorScheme: 'dark' };
  const { first, other } = await pair(browser, 'sp', phone);
  const { page } = first;
  await send(other.page, 'star me on a phone');
  await send(other.page, 'hide me on a phone');
  const starred = bubbleOf(page, 'star me on a phone');
  await expect(starred).toBeVisible();

  await longPress(starred);
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await menu.getByRole('menuitem', { name: 'Star', exact: true }).tap();
  await expect(starred.getByRole('img', { name: 'Starred' })).toBeVisible();

  await longPress(bubbleOf(page, 'hide me on a phone'));
  await audit(page, 'bottom sheet with marks (dark)', '[role=menu]');
  await menu.getByRole('menuitem', { name: 'Delete for me' }).tap();
  await page.getByRole('alertdialog', { name: 'Delete message for you?' }).getByRole('button', { name: 'Delete for me' }).tap();
  await expect(thread(page).getByText('hide me on a phone')).toHaveCount(0);
  await expect(thread(other.page).getByText('hide me on a phone')).toBeVisible();

  // Back to the list, then the starred list, on the phone's one pane.
  await page.getByRole('link', { name: 'Back to chats' }).tap();
  await page.getByRole('button', { name: 'Starred messages' }).tap();
  await expect(page.getByRole('region', { name: 'Starred messages' }).getByRole('link', { name: /star me on a phone/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/starred-phone-dark.png' });

  await first.context.close();
  await other.context.close();
});
