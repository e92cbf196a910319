// Two people in two browser contexts, side by side, chatting the way people do.
const { test, expect } = require('./fixtures');
const path = require('path');
const { expectOnline, newUser, startChatWith, send, thread, confirmDelete } = require('./helpers');

const screenshots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');





test('a direct chat: live delivery, read ticks, typing, reply, edit and delete on both sides', async ({ browser }) => {
  const alice = await newUser(browser, 'alice', 'Alice Tester');
  const bob = await newUser(browser, 'bob', 'Bob Tester');

  await startChatWith(alice.page, bob);
  await send(alice.page, 'Hello Bob!');
  const aliceMessage = thread(alice.page).getByRole('listitem').filter({ hasText: 'Hello Bob!' }).first();
  await expect(aliceMessage).toBeVisible();
  // Stored by the server: at least one grey tick, no clock.
  await expect(aliceMessage.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // Bob sees the chat appear live in his list and opens it.
  const row = bob.page.getByRole('link', { name: /Alice Tester/ });
  await expect(row).toBeVisible();
  await row.click();
  await expect(thread(bob.page).getByText('Hello Bob!')).toBeVisible();

  // Alice's ticks turn blue once Bob has the chat open.
  await expect(aliceMessage.getByRole('img', { name: 'Read' })).toBeVisible();

  // Bob types: Alice sees it.
  await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Hi', { delay: 50 });
  await expect(alice.page.getByRole('main').getByText('typing…')).toBeVisible();

  // Bob replies to Alice's message.
  await bob.page.getByLabel('Message', { exact: true }).fill('');
  const bobsCopy = thread(bob.page).getByRole('listitem').filter({ hasText: 'Hello Bob!' });
  await bobsCopy.hover();
  await bobsCopy.getByRole('button', { name: 'Reply' }).click();
  await send(bob.page, 'Hi Alice, good to see you');
  const reply = thread(alice.page).getByRole('listitem').filter({ hasText: 'good to see you' });
  await expect(reply.getByRole('link', { name: 'Go to the quoted message: Hello Bob!' })).toHaveText('Hello Bob!');

  // Alice edits her message; Bob sees the new text marked as edited.
  await aliceMessage.hover();
  await aliceMessage.getByRole('button', { name: 'Edit' }).click();
  const box = alice.page.getByLabel('Message', { exact: true });
  await box.fill('Hello Bob, edited!');
  await box.press('Enter');
  const edited = thread(bob.page).getByRole('listitem').filter({ hasText: 'Hello Bob, edited!' }).first();
  await expect(edited).toContainText('edited');

  await alice.page.screenshot({ path: path.join(screenshots, 'conversation-light.png') });

  // Alice deletes it for everyone.
    const aliceEdited = thread(alice.page).getByRole('listitem').filter({ hasText: 'Hello Bob, edited!' }).first();
  await aliceEdited.hover();
  await aliceEdited.getByRole('button', { name: 'Delete' }).click();
  await confirmDelete(alice.page);
  await expect(thread(bob.page).getByText('This message was deleted').first()).toBeVisible();

  // A reload keeps the history.
  await bob.page.reload();
  await expect(thread(bob.page).getByText('good to see you')).toBeVisible();
  await expect(thread(bob.page).getByText('This message was deleted').first()).toBeVisible();

  await alice.context.close();
  await bob.context.close();
});

test('messages typed while offline wait in the outbox, survive a reload, and arrive once on reconnect', async ({ browser }) => {
  const carol = await newUser(browser, 'carol', 'Carol Tester');
  const dave = await newUser(browser, 'dave', 'Dave Tester');
  await startChatWith(carol.page, dave);
  await send(carol.page, 'first, while online');
  await expect(thread(carol.page).getByRole('listitem').filter({ hasText: 'first, while online' })
    .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // Cut the live socket and refuse new ones, as a dead network would.
  let offline = true;
  const open = [];
  await carol.page.routeWebSocket(/\/ws$/, (ws) => {
    if (offline) {
      ws.close({ code: 1006, reason: 'offline' });
      return;
    }
    ws.connectToServer();
    open.push(ws);
  });
  await carol.page.reload();
  await expect(carol.page.getByTestId('connection-state')).toContainText(/Offline|Connecting/);
  await send(carol.page, 'queued while offline');
  const queued = thread(carol.page).getByRole('listitem').filter({ hasText: 'queued while offline' });
  await expect(queued.getByRole('img', { name: 'Sending' })).toBeVisible();

  // The outbox survives a reload while still offline.
  await carol.page.reload();
  await expect(thread(carol.page).getByRole('listitem').filter({ hasText: 'queued while offline' })
    .getByRole('img', { name: 'Sending' })).toBeVisible();

  // Back online: the socket reconnects by itself and the message is stored exactly once.
  offline = false;
  await expectOnline(carol.page);
  await expect(thread(carol.page).getByRole('listitem').filter({ hasText: 'queued while offline' })
    .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  await dave.page.getByRole('link', { name: /Carol Tester/ }).click();
  await expect(thread(dave.page).getByText('queued while offline')).toHaveCount(1);
  await expect(thread(dave.page).getByText('first, while online')).toHaveCount(1);

  await carol.context.close();
  await dave.context.close();
});

test('a group: created with members, messages reach everyone, shown on a phone and in dark mode', async ({ browser }) => {
  const erin = await newUser(browser, 'erin', 'Erin Tester');
  const frank = await newUser(browser, 'frank', 'Frank Tester');
  const page = erin.page;
  const newGroupWithFrank = async () => {
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByLabel('Group name').fill('Weekend plans');
    await page.getByLabel('Search people').fill(frank.username);
    await page.getByRole('button', { name: `Add ${frank.displayName}` }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
  };
  // By default only contacts can add Frank to a group, and Erin is not one yet.
  await newGroupWithFrank();
  await expect(page.getByRole('alert').filter({ hasText: 'Frank Tester lets only their contacts add them to groups' })).toBeVisible();
  await page.keyboard.press('Escape');
  // Frank opens it to everyone in his profile.
  await frank.page.getByRole('button', { name: /^Profile/ }).click();
  const everyone = frank.page.getByRole('group', { name: 'Who can add me to groups' }).getByRole('radio', { name: 'Everyone' });
  await expect(frank.page.getByRole('radio', { name: 'My contacts' })).toBeChecked();
  await everyone.check();
  await expect(frank.page.getByRole('status').filter({ hasText: 'Privacy saved.' })).toBeVisible();
  await expect(everyone).toBeChecked();
  await frank.page.getByRole('button', { name: 'Back to chats' }).click();
  await newGroupWithFrank();
  await expect(page).toHaveURL(/\/chat\/\d+$/);
  await expect(thread(page).getByText(/created the group/)).toBeVisible();
  await send(page, 'Hiking on Saturday?');

  // The tab title counts what is unread.
  await expect(frank.page).toHaveTitle(/^\(1\) Chats/);
  await frank.page.getByRole('link', { name: /Weekend plans/ }).click();
  await expect(frank.page).toHaveTitle(/^Chats/);
  await expect(thread(frank.page).getByText('Hiking on Saturday?')).toBeVisible();

  await frank.page.getByRole('button', { name: /theme/ }).click();
  await frank.page.getByRole('button', { name: /theme/ }).click();
  await expect(frank.page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // On a phone the open chat takes the whole screen, with a way back to the list.
  await frank.page.setViewportSize({ width: 390, height: 800 });
  await expect(frank.page.getByRole('complementary', { name: 'Chats' })).toBeHidden();
  await expect(thread(frank.page).getByText('Hiking on Saturday?')).toBeVisible();
  await frank.page.screenshot({ path: path.join(screenshots, 'group-phone-dark.png') });
  await frank.page.getByRole('link', { name: 'Back to chats' }).click();
  await expect(frank.page.getByRole('complementary', { name: 'Chats' })).toBeVisible();

  await erin.context.close();
  await frank.context.close();
});

test('without JavaScript the chat list and messages are server-rendered and a reply posts as a form', async ({ browser }) => {
  const gina = await newUser(browser, 'gina', 'Gina Tester');
  const henry = await newUser(browser, 'henry', 'Henry Tester');
  await startChatWith(gina.page, henry);
  await send(gina.page, 'Can you read this without JavaScript?');
  await expect(thread(gina.page).getByRole('listitem').filter({ hasText: 'without JavaScript' })
    .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  // Henry's browser has JavaScript off: everything below is plain HTML, links and forms.
  const cookies = await henry.context.cookies();
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  await noScript.addCookies(cookies);
  const page = await noScript.newPage();
  await page.goto('/chat');
  await page.getByRole('link', { name: /Gina Tester/ }).click();
  await expect(thread(page).getByText('Can you read this without JavaScript?')).toBeVisible();
  await page.getByLabel('Message', { exact: true }).fill('Yes, loud and clear');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(/\/chat\/\d+$/);
  await expect(thread(page).getByText('Yes, loud and clear')).toBeVisible();

  // And it reached Gina live.
  await expect(thread(gina.page).getByText('Yes, loud and clear')).toBeVisible();

  await noScript.close();
  await gina.context.close();
  await henry.context.close();
});
