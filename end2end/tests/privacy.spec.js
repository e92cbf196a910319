// Privacy and blocking, as two people use them: Bea hides her last seen and turns off read
// receipts in Settings, Ada's chat stops showing them; Bea opens Ada's contact info, blocks
// her, Ada's next message is refused with a clear error, Bea's composer says she blocked Ada;
// Bea unblocks from Settings' list. On a desktop and on a phone, light and dark.
const path = require('path');
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread, audit, expectOnline } = require('./helpers');

const shots = path.join('test-results');

test('privacy settings, contact info, block and unblock between two people', async ({ browser }) => {
  const ada = await newUser(browser, 'priva', 'Ada Private');
  const bea = await newUser(browser, 'privb', 'Bea Private', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  await startChatWith(ada.page, bea);
  await send(ada.page, 'Hi Bea');
  await expect(thread(ada.page).getByText('Hi Bea')).toBeVisible();
  const conversation = ada.page.getByRole('main', { name: 'Conversation' });
  await expect(conversation.getByText('online', { exact: true })).toBeVisible();

  // Bea (a phone) hides her last seen and turns read receipts off.
  await bea.page.getByRole('button', { name: 'Settings', exact: true }).tap();
  const settings = bea.page.getByRole('region', { name: 'Settings' });
  const lastSeen = settings.getByRole('group', { name: 'Last seen and online' });
  await lastSeen.getByRole('radio', { name: 'Nobody' }).check();
  await expect(bea.page.getByRole('region', { name: 'Notifications' })).toContainText('Privacy saved.');
  await expect(lastSeen.getByRole('radio', { name: 'Nobody' })).toBeChecked();
  await settings.getByRole('checkbox', { name: 'Read receipts' }).uncheck();
  await expect(settings.getByRole('checkbox', { name: 'Read receipts' })).not.toBeChecked();
  await expect(settings.getByRole('group', { name: 'Blocked contacts' })).toContainText("You haven't blocked anyone.");
  await bea.page.emulateMedia({ colorScheme: 'dark' });
  await audit(bea.page, 'privacy settings, phone, dark', '.settings-panel');
  await bea.page.screenshot({ path: path.join(shots, 'privacy-settings-phone-dark.png'), fullPage: true });
  await bea.page.emulateMedia({ colorScheme: 'light' });

  // Ada no longer sees Bea online.
  await expect(conversation.getByText('online', { exact: true })).toBeHidden();

  // Bea opens the chat, reads Ada's message, and opens Ada's contact info.
  await settings.getByRole('button', { name: 'Back to chats' }).tap();
  await bea.page.getByRole('link', { name: /Ada Private/ }).first().tap();
  await expect(thread(bea.page).getByText('Hi Bea')).toBeVisible();
  const beaChat = bea.page.getByRole('main', { name: 'Conversation' });
  await beaChat.getByRole('button', { name: 'Contact info' }).tap();
  const info = bea.page.getByRole('complementary', { name: 'Contact info' });
  await expect(info.getByRole('heading', { name: 'Ada Private' })).toBeVisible();
  await expect(info.getByText('No groups in common')).toBeVisible();
  await audit(bea.page, 'contact info, phone', '.contact-info');
  await bea.page.screenshot({ path: path.join(shots, 'contact-info-phone.png') });

  // Ada's message stays at grey ticks: Bea shares no read receipts.
  await expect(thread(ada.page).getByRole('listitem').last().getByRole('img', { name: 'Delivered' })).toBeVisible();

  // Block, confirmed in the app's own dialog.
  await info.getByRole('button', { name: 'Block Ada Private' }).tap();
  const dialog = bea.page.getByRole('alertdialog', { name: 'Block this contact?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Block', exact: true }).tap();
  await expect(info.getByRole('button', { name: 'Unblock Ada Private' })).toBeVisible();
  await info.getByRole('button', { name: 'Close contact info' }).tap();
  await expect(beaChat.getByRole('group', { name: 'Blocked contact' })).toContainText('You blocked this contact.');
  await expect(beaChat.getByLabel('Message', { exact: true })).toHaveCount(0);

  // Ada's next message is refused, and she is told so on the message.
  await send(ada.page, 'Are you there?');
  await expect(thread(ada.page).getByText('This message could not be delivered.')).toBeVisible();
  await ada.page.screenshot({ path: path.join(shots, 'blocked-send-desktop.png') });
  await expect(thread(bea.page).getByText('Are you there?')).toHaveCount(0);

  // Bea unblocks from Settings' list; the composer comes back.
  await beaChat.getByRole('link', { name: 'Back to chats' }).tap();
  await bea.page.getByRole('button', { name: 'Settings', exact: true }).tap();
  const blocked = settings.getByRole('list', { name: 'Blocked contacts' });
  await expect(blocked.getByRole('listitem')).toHaveCount(1);
  await blocked.getByRole('button', { name: 'Unblock Ada Private' }).tap();
  await expect(settings.getByText("You haven't blocked anyone.")).toBeVisible();
  await settings.getByRole('button', { name: 'Back to chats' }).tap();
  await bea.page.getByRole('link', { name: /Ada Private/ }).first().tap();
  await expect(beaChat.getByLabel('Message', { exact: true })).toBeVisible();
  await send(bea.page, 'Sorry, here now');
  await expect(thread(ada.page).getByText('Sorry, here now')).toBeVisible();
  await expectOnline(ada.page);

  await ada.context.close();
  await bea.context.close();
});

test('an account deleted from Settings stays in the other person\'s chat as "Deleted account"', async ({ browser }) => {
  const ada = await newUser(browser, 'dela', 'Ada Stays');
  const bea = await newUser(browser, 'delb', 'Bea Leaves', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await startChatWith(ada.page, bea);
  await send(ada.page, 'Are you leaving?');
  await bea.page.getByRole('link', { name: /Ada Stays/ }).first().tap();
  await send(bea.page, 'Yes, bye');
  await expect(thread(ada.page).getByText('Yes, bye')).toBeVisible();

  await bea.page.getByRole('link', { name: 'Back to chats' }).tap();
  await bea.page.getByRole('button', { name: 'Settings', exact: true }).tap();
  const settings = bea.page.getByRole('region', { name: 'Settings' });
  const form = settings.getByRole('form', { name: 'Delete account' });
  // A wrong password is explained and deletes nothing.
  await form.getByLabel('Your password').fill('not my password');
  await form.getByRole('button', { name: 'Delete my account' }).tap();
  const dialog = bea.page.getByRole('alertdialog', { name: 'Delete your account?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Delete my account' }).tap();
  await expect(form.getByRole('alert')).toContainText('password is not right');
  await form.getByLabel('Your password').fill(require('./helpers').PASSWORD);
  await form.getByRole('button', { name: 'Delete my account' }).tap();
  await dialog.getByRole('button', { name: 'Delete my account' }).tap();
  // Logged out: the page leaves for the landing page (or, when its socket's close came
  // first, reloads into the log-in).
  await expect(bea.page).toHaveURL(/\/(login)?$/);
  await expect(bea.page.getByRole('button', { name: 'Settings', exact: true })).toHaveCount(0);

  // Ada keeps the messages; the chat is with "Deleted account" and takes no more.
  const conversation = ada.page.getByRole('main', { name: 'Conversation' });
  await expect(conversation.getByRole('heading', { level: 1, name: 'Deleted account' })).toBeVisible({ timeout: 30_000 });
  await expect(thread(ada.page).getByText('Yes, bye')).toBeVisible();
  await expect(conversation.getByRole('group', { name: 'Deleted account' })).toContainText('This account was deleted.');
  await ada.page.screenshot({ path: path.join(shots, 'deleted-account-desktop.png') });
  await ada.context.close();
  await bea.context.close();
});
