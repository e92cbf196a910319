// A message's menu, reached the three ways people reach it: the keyboard (Enter on a focused
// message, arrows, Esc), the mouse (right click, the chevron) and, on a phone, a finger (long
// press opens a bottom sheet, a swipe right replies). Deleting asks in the app's own dialog.
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread, audit, touch } = require('./helpers');

/** Two people in a direct chat, both with it open. */
async function pair(browser, prefix, options = {}) {
  const other = await newUser(browser, `${prefix}o`, `Olu ${prefix}`, options);
  const first = await newUser(browser, `${prefix}f`, `Fay ${prefix}`, options);
  await startChatWith(first.page, other);
  await other.page.getByRole('link', { name: new RegExp(first.displayName) }).click();
  await expect(other.page.getByRole('heading', { level: 1 })).toHaveText(first.displayName);
  return { first, other };
}

/** How long a finger must stay down to open the menu (app/src/pages/chat/message_menu.rs). */
const LONG_PRESS_MS = 500;

function bubbleOf(page, text) {
  return thread(page).getByRole('listitem').filter({ hasText: text }).locator('.bubble');
}

test('keyboard and mouse open the message menu; delete asks first', async ({ browser }) => {
  const { first, other } = await pair(browser, 'mk');
  const { page } = first;
  await send(page, 'menu by keyboard');
  const bubble = bubbleOf(page, 'menu by keyboard');
  await expect(bubble.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // Enter on the focused message opens the menu on its first item; arrows, End and Esc work.
  await bubble.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Reply' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Copy' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Delete for everyone' })).toBeFocused();
  // Past the end the focus wraps to the reactions at the top.
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio', { name: 'React with 👍' })).toBeFocused();
  await audit(page, 'message menu open', '[role=menu]');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(bubble).toBeFocused();

  // The context-menu key too, and Edit from the menu puts the text in the composer.
  await page.keyboard.press('ContextMenu');
  await menu.getByRole('menuitem', { name: 'Edit' }).click();
  await expect(page.getByRole('button', { name: 'Cancel edit' })).toBeVisible();
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('menu by keyboard');
  await page.getByRole('button', { name: 'Cancel edit' }).click();

  // A right click opens it; Copy puts the text on the clipboard.
  await first.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await bubble.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Copy' }).click();
  await expect(menu).toBeHidden();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('menu by keyboard');

  // The chevron: Delete for everyone asks; Cancel keeps the message, the confirm deletes it.
  await bubble.hover();
  await bubble.getByRole('button', { name: 'Message actions' }).click();
  await menu.getByRole('menuitem', { name: 'Delete for everyone' }).click();
  const question = page.getByRole('alertdialog', { name: 'Delete message?' });
  await expect(question).toBeVisible();
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await audit(page, 'delete question', '[role=alertdialog]');
  await page.keyboard.press('Escape');
  await expect(question).toBeHidden();
  await expect(thread(page).getByText('menu by keyboard')).toBeVisible();
  await bubble.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Delete for everyone' }).click();
  await question.getByRole('button', { name: 'Delete for everyone' }).click();
  await expect(thread(page).getByText('This message was deleted')).toBeVisible();
  await expect(thread(other.page).getByText('This message was deleted')).toBeVisible();

  // A message of someone else's has no Edit nor Delete for everyone.
  await send(other.page, 'from Olu');
  const theirs = bubbleOf(page, 'from Olu');
  await theirs.click({ button: 'right' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Reply', 'Copy', 'Forward', 'Star', 'Delete for me']);
  await page.keyboard.press('Escape');

  await first.context.close();
  await other.context.close();
});

test('reactions: one per person, shown as chips to everyone, taken back by tapping again', async ({ browser }) => {
  const { first, other } = await pair(browser, 'mr');
  await send(other.page, 'react to me');
  const mine = bubbleOf(first.page, 'react to me');
  const theirs = bubbleOf(other.page, 'react to me');
  await expect(mine).toBeVisible();

  // Fay reacts from the menu; both see the chip, named for who reacted.
  await mine.click({ button: 'right' });
  const menu = first.page.getByRole('menu', { name: 'Message actions' });
  await menu.getByRole('menuitemradio', { name: 'React with 👍' }).click();
  await expect(mine.getByRole('button', { name: '👍 1: You' })).toBeVisible();
  await expect(theirs.getByRole('button', { name: '👍 1: Fay mr' })).toBeVisible();

  // Olu reacts too; Fay changes hers: still one reaction each.
  await theirs.click({ button: 'right' });
  await other.page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitemradio', { name: 'React with 😂' }).click();
  await expect(mine.getByRole('button', { name: '😂 1: Olu mr' })).toBeVisible();
  await mine.click({ button: 'right' });
  await expect(menu.getByRole('menuitemradio', { name: 'React with 👍' })).toHaveAttribute('aria-checked', 'true');
  await menu.getByRole('menuitemradio', { name: 'React with 😂' }).click();
  await expect(mine.getByRole('button', { name: '😂 2: Olu mr, You' })).toBeVisible();
  await expect(mine.getByRole('button', { name: /👍/ })).toHaveCount(0);
  await expect(theirs.getByRole('button', { name: '😂 2: You, Fay mr' })).toBeVisible();

  // Tapping my chip takes my reaction back; a reload shows what the server has.
  await mine.getByRole('button', { name: '😂 2: Olu mr, You' }).click();
  await expect(mine.getByRole('button', { name: '😂 1: Olu mr' })).toBeVisible();
  await expect(theirs.getByRole('button', { name: '😂 1: You' })).toBeVisible();
  await first.page.reload();
  await expect(bubbleOf(first.page, 'react to me').getByRole('button', { name: '😂 1: Olu mr' })).toBeVisible();
  await audit(first.page, 'reaction chips', '[aria-label="Messages"]');

  await first.context.close();
  await other.context.close();
});

test('on a phone a long press opens a bottom sheet and a swipe right replies', async ({ browser }) => {
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
  const { first, other } = await pair(browser, 'mt', phone);
  const { page } = first;
  await send(other.page, 'hold me down');
  const bubble = bubbleOf(page, 'hold me down');
  await expect(bubble).toBeVisible();

  // A long press (held until the menu opens): the menu is a sheet along the bottom of the screen.
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await touch(bubble, { until: menu });
  const sheet = await menu.boundingBox();
  expect(Math.round(sheet.y + sheet.height)).toBe(844);
  expect(Math.round(sheet.width)).toBe(390);
  await menu.getByRole('menuitem', { name: 'Reply' }).tap();
  await expect(menu).toBeHidden();
  await expect(page.getByRole('button', { name: 'Cancel reply' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel reply' }).tap();

  // A short touch (down and up in one go) opens nothing: a timer the page sets after it, for
  // longer than a long press, fires after the long press's would have, and the menu is shut.
  await touch(bubble);
  await page.evaluate((ms) => new Promise((resolve) => { setTimeout(resolve, ms); }), LONG_PRESS_MS + 100);
  await expect(menu).toBeHidden();

  // A swipe to the right replies to that message.
  await touch(bubble, { dx: 120 });
  await expect(page.getByRole('button', { name: 'Cancel reply' })).toBeVisible();
  await expect(menu).toBeHidden();
  await send(page, 'swiped reply');
  const reply = thread(page).getByRole('listitem').filter({ hasText: 'swiped reply' });
  await expect(reply.getByRole('link', { name: /Go to the quoted message: hold me down/ })).toBeVisible();

  // The sheet works the same in the dark theme and passes axe there.
  await page.emulateMedia({ colorScheme: 'dark' });
  await touch(bubbleOf(page, 'swiped reply'), { until: menu });
  await expect(menu.getByRole('menuitem', { name: 'Delete for everyone' })).toBeVisible();
  await audit(page, 'bottom sheet (dark)', '[role=menu]');
  await page.screenshot({ path: 'test-results/message-menu-phone-dark.png' });
  await menu.getByRole('menuitem', { name: 'Delete for everyone' }).tap();
  await page.getByRole('alertdialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete for everyone' }).tap();
  await expect(thread(page).getByText('This message was deleted')).toBeVisible();

  await first.context.close();
  await other.context.close();
});

test('the menu leaves out Edit after 15 minutes and Delete for everyone after 48 hours', async ({ browser }) => {
  const { first } = await pair(browser, 'mw');
  const { page } = first;
  await send(page, 'said in haste');
  const bubble = bubbleOf(page, 'said in haste');
  await expect(bubble.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();
  const menu = page.getByRole('menu', { name: 'Message actions' });
  const now = await page.evaluate(() => Date.now());
  const minutes = (n) => new Date(now + n * 60_000);

  // 16 minutes later by the browser's clock (its timers keep running): no Edit, and Up on the
  // empty composer no longer starts one.
  await page.clock.setFixedTime(minutes(16));
  await bubble.click({ button: 'right' });
  await expect(menu.getByRole('menuitem', { name: 'Delete for everyone' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Edit' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await page.getByLabel('Message', { exact: true }).press('ArrowUp');
  await expect(page.getByRole('button', { name: 'Cancel edit' })).toBeHidden();

  // Two days later only deleting it for me is left.
  await page.clock.setFixedTime(minutes(49 * 60));
  await bubble.click({ button: 'right' });
  await expect(menu.getByRole('menuitem', { name: 'Delete for me' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Delete for everyone' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
});
