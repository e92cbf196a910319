// A tab's live connection belongs to the session that opened it: logging out ends it, and a
// different person logging in afterwards in the same tab sends as themselves, never as the
// previous person.
const { test, expect } = require('./fixtures');
const { PASSWORD, newUser, startChatWith, send, thread } = require('./helpers');

test('log out, log in as someone else in the same tab, send: the sender is the new person', async ({ browser }) => {
  const lea = await newUser(browser, 'sesl', 'Lea Leaving');
  const max = await newUser(browser, 'sesm', 'Max Watching');
  const ned = await newUser(browser, 'sesn', 'Ned Arriving');
  await ned.context.close();

  await startChatWith(lea.page, max);
  await send(lea.page, 'lea was here');
  await max.page.getByRole('link', { name: /Lea Leaving/ }).click();
  await expect(thread(max.page).getByText('lea was here')).toBeVisible();
  const leaPresence = max.page.getByRole('main', { name: 'Conversation' }).getByText('online', { exact: true });
  await expect(leaPresence).toBeVisible();

  // Lea logs out: her socket ends with her session, so Max sees her go offline.
  await lea.page.getByRole('button', { name: 'Log out' }).click();
  await expect(lea.page).toHaveURL(/\/login$/);
  await expect(leaPresence).toBeHidden({ timeout: 10_000 });

  // Ned logs in in Lea's tab, on the page the logout left open, and writes to Max.
  await lea.page.getByLabel('Username').fill(ned.username);
  await lea.page.getByLabel('Password').fill(PASSWORD);
  await lea.page.getByRole('button', { name: 'Log in' }).click();
  await expect(lea.page).toHaveURL(/\/chat$/);
  await expect(lea.page.getByTestId('connection-state')).toHaveText('Online', { timeout: 30_000 });
  await expect(lea.page.getByRole('button', { name: /Profile/ })).toContainText('Ned Arriving');
  await startChatWith(lea.page, max);
  await send(lea.page, 'ned says hello');
  await expect(thread(lea.page).getByRole('listitem').filter({ hasText: 'ned says hello' })
    .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // Max gets it from Ned, in a chat with Ned; his chat with Lea has nothing new.
  await expect(max.page.getByRole('link', { name: /Ned Arriving/ })).toContainText('ned says hello');
  await expect(thread(max.page).getByText('ned says hello')).toHaveCount(0);
  await max.page.getByRole('link', { name: /Ned Arriving/ }).click();
  await expect(thread(max.page).getByText('ned says hello')).toHaveCount(1);
  await lea.context.close();
  await max.context.close();
});
