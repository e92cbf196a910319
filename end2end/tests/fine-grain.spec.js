// The client's store is keyed by message: in a thread of 200 messages, a new message, an edit
// and a read receipt change the DOM of the bubbles they concern and of no other. A
// MutationObserver on the thread records every change; each is traced to the bubble it is in.
// Recording stops at a barrier, not after a while: a message in another chat, pushed after the
// change and shown outside the thread, so everything the change did was done before it.
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, thread } = require('./helpers');

/** Sends a message over HTTP as the person whose browser context `page` is in. */
async function apiSend(page, conversationId, body) {
  const response = await page.request.post('/api/messages/send', {
    data: { conversation_id: conversationId, client_msg_id: crypto.randomUUID(), body },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}

/** Starts recording the thread's mutations in the page. */
async function observe(page) {
  await page.evaluate(() => {
    const list = document.querySelector('ol[aria-label="Messages"]');
    // The bubble (an `li` with id m<seq>) a node is in or is; null for list-level nodes.
    const owner = (node) => {
      const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      const bubble = element && element.closest('li[id^="m"]');
      return bubble && list.contains(bubble) ? bubble.id : null;
    };
    window.__mutations = [];
    window.__observer = new MutationObserver((records) => {
      for (const record of records) {
        const inside = owner(record.target);
        if (inside) {
          window.__mutations.push(inside);
          continue;
        }
        // A change to the list itself: the rows added or removed. Empty text and comment
        // nodes are the framework's position markers, not content.
        for (const node of [...record.addedNodes, ...record.removedNodes]) {
          if (node.nodeType !== Node.ELEMENT_NODE) continue;
          window.__mutations.push(node.id ? node.id : `<${node.tagName.toLowerCase()} class="${node.className}">`);
        }
        if (record.type !== 'childList') window.__mutations.push(`list ${record.type}`);
      }
    });
    window.__observer.observe(list, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/**
 * Waits until `page` has handled a message that `sender` sent now in `chat`, their own chat with
 * the page's person: it reaches the page over the same socket as, and after, every push caused
 * by what happened before, and the page handles pushes one at a time, in order.
 */
let barriers = 0;
async function barrier(page, sender, chat) {
  barriers += 1;
  const text = `barrier ${barriers}`;
  await apiSend(sender.page, chat, text);
  const row = page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: new RegExp(sender.displayName) });
  await expect(row).toContainText(text);
}

/** The bubbles (or other nodes) changed since `observe`, each once, and stops recording. */
async function changed(page) {
  return page.evaluate(() => {
    window.__observer.disconnect();
    return [...new Set(window.__mutations)].sort();
  });
}

test('a new message, an edit and a receipt change only their own bubbles in a thread of 200', async ({ browser }) => {
  test.setTimeout(180_000);
  const bob = await newUser(browser, 'fgbob', 'Bob Grain');
  const ana = await newUser(browser, 'fgana', 'Ana Grain');
  const carl = await newUser(browser, 'fgcarl', 'Carl Grain');
  await startChatWith(ana.page, bob);
  const id = Number(ana.page.url().match(/\/chat\/(\d+)$/)[1]);
  // Carl's chat with Ana carries the barriers.
  await startChatWith(carl.page, ana);
  const side = Number(carl.page.url().match(/\/chat\/(\d+)$/)[1]);
  await apiSend(carl.page, side, 'hello from the side');

  // 200 messages, the two alternating.
  const sent = [];
  for (let i = 1; i <= 200; i += 1) {
    const from = i % 2 ? bob.page : ana.page;
    sent.push(await apiSend(from, id, `message number ${i}`));
  }

  // Ana opens the chat afresh and loads all of it.
  await ana.page.goto(`/chat/${id}`);
  await expect(ana.page.getByTestId('connection-state')).toHaveText('Online', { timeout: 30_000 });
  const messages = thread(ana.page);
  const older = ana.page.getByRole('button', { name: 'Load older messages' });
  const bubbles = messages.locator('li[id^="m"]');
  for (let page = 0; page < 10 && (await bubbles.count()) < 200; page += 1) {
    const before = await bubbles.count();
    if (await older.isVisible()) await older.click();
    await expect.poll(() => bubbles.count()).toBeGreaterThan(before);
  }
  await expect(messages.getByText('message number 1', { exact: true })).toBeVisible();
  await expect(messages.locator('li[id^="m"]')).toHaveCount(200);
  await barrier(ana.page, carl, side);

  // 1. A new message from Bob: one bubble added, nothing else touched.
  await observe(ana.page);
  const fresh = await apiSend(bob.page, id, 'one more from Bob');
  await expect(messages.getByText('one more from Bob')).toBeVisible();
  await barrier(ana.page, carl, side);
  expect(await changed(ana.page)).toEqual([`m${fresh.seq}`]);

  // 2. Bob edits an old message of his: that bubble only.
  const target = sent[48];
  expect(target.sender_id).not.toBe(sent[49].sender_id);
  await observe(ana.page);
  const edit = await bob.page.request.post('/api/messages/edit', {
    data: { message_id: target.id, body: 'message forty-nine, edited' },
  });
  expect(edit.ok(), await edit.text()).toBeTruthy();
  await expect(messages.getByText('message forty-nine, edited')).toBeVisible();
  await barrier(ana.page, carl, side);
  expect(await changed(ana.page)).toEqual([`m${target.seq}`]);

  // 3. Ana writes; Bob reads it: the ticks of Ana's messages Bob had not read turn blue, and
  // no other bubble changes.
  const mine = await apiSend(ana.page, id, 'did you read this?');
  const last = messages.locator(`li[id="m${mine.seq}"]`);
  await expect(last.getByRole('img', { name: 'Delivered' })).toBeVisible();
  const unread = await messages.locator('li[id^="m"]').evaluateAll((items) => items
    .filter((li) => li.querySelector('[role="img"][aria-label="Delivered"], [role="img"][aria-label="Sent"]'))
    .map((li) => li.id)
    .sort());
  expect(unread).toContain(`m${mine.seq}`);
  await observe(ana.page);
  const read = await bob.page.request.post('/api/messages/read', { data: { conversation_id: id, seq: mine.seq } });
  expect(read.ok(), await read.text()).toBeTruthy();
  await expect(last.getByRole('img', { name: 'Read' })).toBeVisible();
  await barrier(ana.page, carl, side);
  expect(await changed(ana.page)).toEqual(unread);

  await bob.context.close();
  await ana.context.close();
  await carl.context.close();
});
