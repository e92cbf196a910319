// The split WASM: the chat becomes interactive with the main module alone, and each feature
// opened by a click fetches its chunk the first time it is used, then works. A chunk is any
// `.wasm` file under /pkg other than the main module that the page's first load fetched.
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread } = require('./helpers');

/** Records every request the page makes, in the order it makes them. */
function requestLog(page) {
  const seen = [];
  page.on('request', (request) => seen.push(new URL(request.url())));
  return seen;
}

const isWasm = (url) => url.pathname.startsWith('/pkg/') && url.pathname.endsWith('.wasm');

/** Waits until every request the page has made so far is in `seen`: the page fetches a marker,
 * and requests are reported in the order they are made, so the marker comes after them. */
async function settle(page, seen) {
  const marker = `/healthz?settled=${seen.length}-${Date.now()}`;
  await page.evaluate((url) => fetch(url).then(() => undefined), marker);
  await expect.poll(() => seen.some((url) => url.pathname + url.search === marker)).toBe(true);
}

/** Runs `action`, which must end with the feature it opens on screen (it cannot render before
 * its code has loaded), and returns the WASM files fetched meanwhile. */
async function fetchedDuring(page, seen, action) {
  const before = seen.length;
  await action();
  await settle(page, seen);
  return seen.slice(before).filter(isWasm).map((url) => url.pathname);
}

test('features load their code on first use, and work', async ({ browser }) => {
  const ana = await newUser(browser, 'lana', 'Lana Lazy');
  const ben = await newUser(browser, 'lben', 'Ben Lazy');
  const page = ana.page;
  const seen = requestLog(page);

  // A fresh load of the chat: the main module only.
  await startChatWith(page, ben);
  await send(page, 'hello from the main module');
  await expect(thread(page).getByText('hello from the main module')).toBeVisible();
  // Starting the chat loaded the new-chat panel's chunks: count from a fresh load.
  seen.length = 0;
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveText('Online', { timeout: 30_000 });
  await settle(page, seen);
  const initial = [...new Set(seen.filter(isWasm).map((url) => url.pathname))];
  expect(initial, 'the first load fetches one WASM file').toHaveLength(1);
  const main = initial[0];

  // The emoji picker: a chunk on first opening; picking inserts the emoji.
  const picker = page.getByRole('dialog', { name: 'Emoji picker' });
  let chunks = await fetchedDuring(page, seen, async () => {
    await page.getByRole('button', { name: 'Emoji' }).click();
    await expect(picker).toBeVisible();
  });
  expect(chunks.filter((c) => c !== main).length, 'opening the picker fetched its chunk').toBeGreaterThan(0);
  await picker.getByLabel('Search emoji').fill('rocket');
  await picker.getByRole('button', { name: 'rocket' }).click();
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('🚀');
  // Open again: already loaded, nothing fetched (the picker on screen, and every request up to
  // then in the log).
  await page.getByRole('button', { name: 'Emoji' }).click();
  await expect(picker).toBeHidden();
  chunks = await fetchedDuring(page, seen, async () => {
    await page.getByRole('button', { name: 'Emoji' }).click();
    await expect(picker).toBeVisible();
  });
  expect(chunks, 'a loaded chunk is not fetched again').toEqual([]);
  await page.keyboard.press('Escape');

  // The message menu: right click on a message.
  const menu = page.getByRole('menu', { name: 'Message actions' });
  chunks = await fetchedDuring(page, seen, async () => {
    await thread(page).getByText('hello from the main module').click({ button: 'right' });
    await expect(menu).toBeVisible();
  });
  expect(chunks.filter((c) => c !== main).length, 'opening the menu fetched its chunk').toBeGreaterThan(0);
  await menu.getByRole('menuitem', { name: 'Reply' }).click();
  await expect(page.getByText('Replying to')).toBeVisible();

  // The search panel: a chunk, and it finds the message.
  const query = page.getByPlaceholder('Words in your messages');
  chunks = await fetchedDuring(page, seen, async () => {
    await page.getByRole('button', { name: 'Search messages' }).click();
    await expect(query).toBeVisible();
  });
  expect(chunks.filter((c) => c !== main).length, 'opening search fetched its chunk').toBeGreaterThan(0);
  await query.fill('main');
  await expect(page.getByRole('list', { name: 'Search results' }).getByRole('link')).toHaveCount(1);
  await page.getByRole('button', { name: 'Back to chats' }).click();

  // A voice note (Chromium's fake microphone): the recorder's code loads with the first one.
  await page.getByLabel('Message', { exact: true }).fill('');
  chunks = await fetchedDuring(page, seen, async () => {
    await page.getByRole('button', { name: 'Record voice message' }).click();
    await expect(page.getByRole('group', { name: 'Voice message' }).getByText('Recording')).toBeVisible();
  });
  expect(chunks.filter((c) => c !== main).length, 'recording fetched the recorder chunk').toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel recording' }).click();
  await expect(page.getByRole('button', { name: 'Record voice message' })).toBeVisible();

  await ana.context.close();
  await ben.context.close();
});
