// Forwarding a message, as a person does it: the message's menu, "Forward", pick chats in the
// dialog (by search, at most five), and the copy arrives labelled "Forwarded".
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread, audit, touch } = require('./helpers');

test('a message is forwarded from its menu to a chat picked in the dialog', async ({ browser }) => {
  const olu = await newUser(browser, 'fwo', 'Olu Forward');
  const kim = await newUser(browser, 'fwk', 'Kim Forward');
  const fay = await newUser(browser, 'fwf', 'Fay Forward');
  const { page } = fay;
  await startChatWith(page, kim);
  await send(page, 'hello Kim');
  await startChatWith(page, olu);
  await send(page, 'worth *sharing*');
  const bubble = thread(page).getByRole('listitem').filter({ hasText: 'worth sharing' }).locator('.bubble');
  await expect(bubble.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  await bubble.click({ button: 'right' });
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Forward' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forward message' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Search chats')).toBeFocused();
  await expect(dialog.getByRole('button', { name: 'Forward' })).toBeDisabled();
  await audit(page, 'forward dialog', '[role=dialog]');
  // Esc closes without sending; reopened, the search narrows the list.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await bubble.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Forward' }).click();
  await dialog.getByLabel('Search chats').fill('kim');
  await expect(dialog.getByRole('checkbox')).toHaveCount(1);
  await dialog.getByRole('checkbox', { name: 'Kim Forward' }).check();
  await expect(dialog.getByText('Kim Forward', { exact: true }).last()).toBeVisible();
  await dialog.getByRole('button', { name: 'Forward' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Forwarded to Kim Forward' })).toBeVisible();

  // Kim gets the copy, formatted, labelled, from Fay, in their chat.
  await kim.page.getByRole('link', { name: /Fay Forward/ }).click();
  const copy = thread(kim.page).getByRole('listitem').filter({ hasText: 'worth sharing' });
  await expect(copy).toBeVisible();
  await expect(copy.getByText('Forwarded')).toBeVisible();
  await expect(copy.locator('strong')).toHaveText('sharing');
  // Olu's chat gained nothing.
  await olu.page.getByRole('link', { name: /Fay Forward/ }).click();
  await expect(thread(olu.page).getByRole('listitem').filter({ hasText: 'worth sharing' })).toHaveCount(1);
  await expect(thread(olu.page).getByText('Forwarded')).toHaveCount(0);
});

test('on a phone the forward dialog fills the screen and is reached by a long press', async ({ browser }) => {
  const phone = { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true };
  const kim = await newUser(browser, 'fpk', 'Kim Phone', phone);
  const fay = await newUser(browser, 'fpf', 'Fay Phone', phone);
  const olu = await newUser(browser, 'fpo', 'Olu Phone', phone);
  const { page } = fay;
  await startChatWith(page, kim);
  await send(page, 'first');
  await page.getByRole('link', { name: 'Back to chats' }).click();
  await startChatWith(page, olu);
  await send(page, 'pass it on');
  const bubble = thread(page).getByRole('listitem').filter({ hasText: 'pass it on' }).locator('.bubble');
  await expect(bubble.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // A long press opens the menu as a bottom sheet.
  await touch(bubble, { until: page.getByRole('menu', { name: 'Message actions' }) });
  await page.getByRole('menuitem', { name: 'Forward' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Forward message' });
  const size = await dialog.boundingBox();
  expect(size.width).toBeGreaterThanOrEqual(389);
  await dialog.getByRole('checkbox', { name: 'Kim Phone' }).tap();
  await dialog.getByRole('button', { name: 'Forward' }).tap();
  await expect(dialog).toBeHidden();
  await kim.page.getByRole('link', { name: /Fay Phone/ }).tap();
  await expect(thread(kim.page).getByRole('listitem').filter({ hasText: 'pass it on' }).getByText('Forwarded')).toBeVisible();
});
