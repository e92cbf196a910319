// Clicking around one page the way a person does: switching chats, opening panels and going
// back, while messages come and go. The shared fixture fails any test here on a panic or a
// page error, so a client that crashes on a switch cannot pass by leaving the old DOM behind.
const { test, expect } = require('./fixtures');
const { expectOnline, newUser, startChatWith, send, thread, confirmDelete } = require('./helpers');

test.describe.configure({ timeout: 180_000 });

function heading(page, title) {
  return page.getByRole('main', { name: 'Conversation' }).getByRole('heading', { level: 1, name: title, exact: true });
}

function row(page, title) {
  return page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: new RegExp(`^${title}`) });
}

async function openChat(page, title, expectedText) {
  await row(page, title).click();
  await expect(heading(page, title)).toBeVisible();
  await expect(thread(page).getByText(expectedText).first()).toBeVisible();
  await expect(row(page, title)).toHaveAttribute('aria-current', 'page');
}

test('twenty-four chat switches in one page, with panels opened in between and messages both ways', async ({ browser }) => {
  const ann = await newUser(browser, 'swa', 'Ann Switcher');
  const ben = await newUser(browser, 'swb', 'Ben Switcher');
  const cat = await newUser(browser, 'swc', 'Cat Switcher');

  // Each first message is on screen before the next chat opens (typed into a chat that is
  // still opening, a message could meet its draft being restored).
  await startChatWith(ann.page, ben);
  await send(ann.page, 'first words to ben');
  await expect(thread(ann.page).getByText('first words to ben')).toBeVisible();
  await startChatWith(ann.page, cat);
  await send(ann.page, 'first words to cat');
  await expect(thread(ann.page).getByText('first words to cat')).toBeVisible();
  await ann.page.getByRole('button', { name: 'New chat' }).click();
  await ann.page.getByRole('button', { name: 'New group' }).click();
  await ann.page.getByLabel('Group name').fill('Switch Crew');
  for (const other of [ben, cat]) {
    await ann.page.getByLabel('Search people').fill(other.username);
    await ann.page.getByRole('button', { name: `Add ${other.displayName}` }).click();
  }
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  await expect(heading(ann.page, 'Switch Crew')).toBeVisible();
  await send(ann.page, 'first words to the crew');
  await expect(thread(ann.page).getByText('first words to the crew')).toBeVisible();

  const chats = [
    { title: 'Ben Switcher', text: 'first words to ben' },
    { title: 'Cat Switcher', text: 'first words to cat' },
    { title: 'Switch Crew', text: 'first words to the crew' },
  ];
  const panels = [
    async (page) => {
      await page.getByRole('button', { name: 'New chat' }).click();
      await expect(page.getByLabel('Search people')).toBeVisible();
      await page.getByRole('button', { name: 'Back to chats' }).click();
    },
    async (page) => {
      await page.getByRole('button', { name: 'New chat' }).click();
      await page.getByRole('button', { name: 'New group' }).click();
      await expect(page.getByLabel('Group name')).toBeVisible();
      await page.keyboard.press('Escape');
    },
    async (page) => {
      await page.getByRole('button', { name: 'Search messages' }).click();
      await page.getByPlaceholder('Words in your messages').fill('words');
      await page.getByRole('button', { name: 'Back to chats' }).click();
    },
    async (page) => {
      await page.getByRole('button', { name: /^Profile/ }).click();
      await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
      await page.getByRole('button', { name: 'Back to chats' }).click();
    },
  ];

  for (let i = 0; i < 24; i += 1) {
    const chat = chats[(i * 2 + (i >> 2)) % chats.length];
    await openChat(ann.page, chat.title, chat.text);
    if (i % 3 === 1) {
      await panels[i % panels.length](ann.page);
      await expect(row(ann.page, chat.title)).toBeVisible();
      await expect(heading(ann.page, chat.title)).toBeVisible();
    }
    if (i % 4 === 0) {
      const said = `ann says ${i} in ${chat.title}`;
      await send(ann.page, said);
      await expect(thread(ann.page).getByRole('listitem').filter({ hasText: said })
        .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();
      chat.text = said;
    }
    if (i % 6 === 3) {
      // Ben answers in his chat with Ann while she is somewhere else (or right there).
      const answer = `ben answers ${i}`;
      await row(ben.page, 'Ann Switcher').click();
      await send(ben.page, answer);
      await expect(row(ann.page, 'Ben Switcher')).toContainText(answer);
      chats[0].text = answer;
    }
  }

  // The browser's back button walks the history of chats as well.
  await ann.page.goBack();
  await expect(ann.page.getByRole('main', { name: 'Conversation' }).getByRole('heading', { level: 1 })).toBeVisible();
  for (const p of [ann, ben, cat]) await p.context.close();
});

test('chat-list previews follow edits, deletes and read receipts on both sides', async ({ browser }) => {
  const dan = await newUser(browser, 'prd', 'Dan Preview');
  const eve = await newUser(browser, 'pre', 'Eve Preview');
  await startChatWith(dan.page, eve);
  await send(dan.page, 'the original words');
  const mine = thread(dan.page).getByRole('listitem').filter({ hasText: 'the original words' });
  await expect(mine.getByRole('img', { name: /Sent|Delivered/ })).toBeVisible();

  const eveRow = row(eve.page, 'Dan Preview');
  await expect(eveRow).toContainText('the original words');
  const danRow = row(dan.page, 'Eve Preview');
  await expect(danRow).toContainText('the original words');

  // An edit changes both previews.
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit' }).click();
  await send(dan.page, 'the edited words');
  await expect(danRow).toContainText('the edited words');
  await expect(eveRow).toContainText('the edited words');
  await expect(eveRow).not.toContainText('the original words');

  // Eve opens the chat: Dan's bubble and his chat-list tick both turn to Read.
  await eveRow.click();
  const edited = thread(dan.page).getByRole('listitem').filter({ hasText: 'the edited words' });
  await expect(edited.getByRole('img', { name: 'Read' })).toBeVisible();
  await expect(danRow.getByRole('img', { name: 'Read' })).toBeVisible();
  await dan.page.reload();
  await expect(row(dan.page, 'Eve Preview').getByRole('img', { name: 'Read' })).toBeVisible();
  await expectOnline(dan.page);

  // Delete for everyone: neither preview keeps the text.
    await edited.hover();
  await edited.getByRole('button', { name: 'Delete' }).click();
  await confirmDelete(dan.page);
  for (const page of [dan.page, eve.page]) {
    const other = page === dan.page ? 'Eve Preview' : 'Dan Preview';
    await expect(row(page, other)).toContainText('This message was deleted');
    await expect(row(page, other)).not.toContainText('the edited words');
  }
  await eve.page.reload();
  await expect(row(eve.page, 'Dan Preview')).toContainText('This message was deleted');
  await dan.context.close();
  await eve.context.close();
});

test('going offline shows a banner at once, hides stale presence, and recovers by itself', async ({ browser }) => {
  const fay = await newUser(browser, 'off', 'Fay Offline');
  const gus = await newUser(browser, 'ofg', 'Gus Online');
  await startChatWith(fay.page, gus);
  await send(fay.page, 'are you there?');
  await row(gus.page, 'Fay Offline').click();
  const presence = (page) => page.getByRole('main', { name: 'Conversation' }).getByText('online', { exact: true });
  await expect(presence(fay.page)).toBeVisible();

  await fay.context.setOffline(true);
  await expect(fay.page.getByTestId('connection-state')).toContainText(/offline/i, { timeout: 3_000 });
  await expect(presence(fay.page)).toBeHidden();
  // Gus sees Fay go offline once her socket is gone.
  await expect(presence(gus.page)).toBeHidden({ timeout: 70_000 });

  await fay.context.setOffline(false);
  await expect(fay.page.getByTestId('connection-state')).toHaveText('Online', { timeout: 10_000 });
  await expect(presence(fay.page)).toBeVisible();
  await send(gus.page, 'back again');
  await expect(thread(fay.page).getByText('back again')).toBeVisible();
  await fay.context.close();
  await gus.context.close();
});

test('typing right after a send is shown to the other person at once', async ({ browser }) => {
  const hal = await newUser(browser, 'tyh', 'Hal Typer');
  const ida = await newUser(browser, 'tyi', 'Ida Reader');
  await startChatWith(hal.page, ida);
  await send(hal.page, 'one');
  await row(ida.page, 'Hal Typer').click();
  await expect(thread(ida.page).getByText('one')).toBeVisible();
  await send(hal.page, 'two');
  await expect(thread(ida.page).getByText('two')).toBeVisible();
  // Straight after the send: one key is enough, well within the three-second throttle.
  await hal.page.getByLabel('Message', { exact: true }).press('t');
  await expect(ida.page.getByRole('main').getByText('typing…')).toBeVisible({ timeout: 2_000 });
  await hal.context.close();
  await ida.context.close();
});

test('without JavaScript there is no connection status, and a reply by form stays in view', async ({ browser }) => {
  const jon = await newUser(browser, 'nja', 'Jon Scripted');
  const kim = await newUser(browser, 'njb', 'Kim Plain');
  await startChatWith(jon.page, kim);
  for (let i = 0; i < 40; i += 1) await send(jon.page, `filler message number ${i}`);
  await expect(thread(jon.page).getByText('filler message number 39')).toBeVisible();

  const noScript = await browser.newContext({ javaScriptEnabled: false });
  await noScript.addCookies(await kim.context.cookies());
  const page = await noScript.newPage();
  await page.goto('/chat');
  await expect(page.getByText('Connecting…')).toHaveCount(0);
  await page.getByRole('link', { name: /Jon Scripted/ }).click();
  await expect(thread(page).getByText('filler message number 39')).toBeInViewport();
  await page.getByLabel('Message', { exact: true }).fill('a plain reply at the bottom');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(thread(page).getByText('a plain reply at the bottom')).toBeInViewport();
  await expect(page.getByText('Connecting…')).toHaveCount(0);
  await noScript.close();
  await jon.context.close();
  await kim.context.close();
});

test('on a touch phone, chats are switched by tapping, with the list and panels in between', async ({ browser }) => {
  const phone = { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true };
  const lia = await newUser(browser, 'tpl', 'Lia Phone', phone);
  const mo = await newUser(browser, 'tpm', 'Mo Desk');
  const nia = await newUser(browser, 'tpn', 'Nia Desk');
  for (const other of [mo, nia]) {
    await startChatWith(lia.page, other);
    await send(lia.page, `hello ${other.displayName}`);
    await lia.page.getByRole('link', { name: 'Back to chats' }).tap();
  }
  const list = lia.page.getByRole('complementary', { name: 'Chats' });
  for (let i = 0; i < 8; i += 1) {
    const other = i % 2 === 0 ? mo : nia;
    await expect(list).toBeVisible();
    await row(lia.page, other.displayName).tap();
    // One pane at a time: the chat covers the list.
    await expect(heading(lia.page, other.displayName)).toBeVisible();
    await expect(list).toBeHidden();
    await expect(thread(lia.page).getByText(`hello ${other.displayName}`)).toBeVisible();
    await lia.page.getByRole('link', { name: 'Back to chats' }).tap();
    if (i % 3 === 2) {
      await lia.page.getByRole('button', { name: 'New chat' }).tap();
      await expect(lia.page.getByLabel('Search people')).toBeVisible();
      await lia.page.getByRole('button', { name: 'Back to chats' }).tap();
    }
  }
  // A message arriving while the phone shows the list lands in the right row.
  await row(mo.page, 'Lia Phone').click();
  await send(mo.page, 'reply from the desk');
  await expect(row(lia.page, 'Mo Desk')).toContainText('reply from the desk');
  for (const p of [lia, mo, nia]) await p.context.close();
});

test('a long chat list comes in pages: the first with the page, the rest as it is scrolled', async ({ browser }) => {
  const owen = await newUser(browser, 'pgo', 'Owen Pages');
  // 55 people Owen has chatted with, set up through the API (the same calls the app makes).
  const others = await browser.newContext();
  const setup = await others.newPage();
  await setup.goto('/login');
  const stamp = Date.now().toString(36);
  const ids = await setup.evaluate(async (stamp) => {
    const ids = [];
    for (let i = 0; i < 55; i += 1) {
      const body = new URLSearchParams({ username: `pg${stamp}${i}`, display_name: `Pager ${String(i).padStart(2, '0')}`, password: 'correct horse battery' });
      const res = await fetch('/api/accounts/register', { method: 'POST', body, headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`register ${i}: ${res.status}`);
      ids.push((await res.json()).id);
    }
    return ids;
  }, stamp);
  await others.close();
  await owen.page.evaluate(async (ids) => {
    for (const id of ids) {
      const res = await fetch('/api/conversations/open_direct', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: id }),
      });
      if (!res.ok) throw new Error(`open_direct ${id}: ${res.status}`);
    }
  }, ids);

  await owen.page.reload();
  await expectOnline(owen.page);
  const list = owen.page.getByRole('navigation', { name: 'Conversations' });
  const links = list.getByRole('link');
  await expect(links).toHaveCount(50);
  await expect(list.getByRole('button', { name: 'Show more chats' })).toBeVisible();
  // Scrolling to the end loads the rest; then there is nothing more to show.
  await links.last().scrollIntoViewIfNeeded();
  await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(links).toHaveCount(55);
  await expect(list.getByRole('button', { name: 'Show more chats' })).toHaveCount(0);
  // The oldest chat, from the second page, opens like any other.
  await row(owen.page, 'Pager 00').click();
  await expect(heading(owen.page, 'Pager 00')).toBeVisible();
  await owen.context.close();
});
