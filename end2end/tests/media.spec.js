// Media between two people: a voice note recorded with the (fake) microphone, played and
// sought by the other; a photo with a caption and a PDF that appear for the other; files over
// the limit refused before upload; a denied microphone explained. Chromium runs with
// --use-fake-ui-for-media-stream --use-fake-device-for-media-stream (see playwright.config.js).
const { test, expect, chromium } = require('./fixtures');
const path = require('path');
const zlib = require('zlib');
const { expectOnline, newUser, startChatWith, thread, audit } = require('./helpers');

const screenshots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');




/** A real PNG (an RGB gradient), built by hand so the test needs no image files. */
function png(width, height) {
  const crc32 = (buf) => {
    let crc = 0xffffffff;
    for (const byte of buf) {
      crc ^= byte;
      for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      row.set([255, Math.round(90 + (120 * y) / height), Math.round((200 * x) / width)], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
  + '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n'
  + '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n'
  + 'trailer << /Root 1 0 R >>\n%%EOF\n',
);

/** Picks a file through the paperclip's system file chooser. */
async function attachViaPaperclip(page, file) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser).setFiles(file);
}

/** Drops a file on the conversation, as dragging it from the desktop would. */
async function dropFile(page, { name, mimeType, buffer }) {
  const dataTransfer = await page.evaluateHandle(({ bytes, name: fileName, type }) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], fileName, { type }));
    return transfer;
  }, { bytes: [...buffer], name, type: mimeType });
  const target = thread(page);
  await target.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByText('Drop a file to send it')).toBeVisible();
  await target.dispatchEvent('drop', { dataTransfer });
}

/** "m:ss", as the app shows a time, for whole seconds. */
function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Records until the bar's clock shows at least `seconds` (however long that takes), then sends. */
async function recordVoiceNote(page, seconds, shot) {
  await page.getByRole('button', { name: 'Record voice message' }).click();
  const bar = page.getByRole('group', { name: 'Voice message' });
  await expect(bar.getByText('Recording')).toBeVisible();
  const elapsed = bar.getByText(/^\d+:\d\d$/);
  await expect.poll(async () => {
    const [minutes, secs] = (await elapsed.textContent()).split(':').map(Number);
    return minutes * 60 + secs;
  }, { timeout: 30_000 }).toBeGreaterThanOrEqual(seconds);
  if (shot) await page.screenshot({ path: path.join(screenshots, shot) });
  await bar.getByRole('button', { name: 'Send voice message' }).click();
  await expect(bar).toBeHidden();
}


test.describe.serial('media between two people', () => {
  let alice;
  let bob;

  test.beforeAll(async ({ browser }) => {
    alice = await newUser(browser, 'mara', 'Mara Sender');
    bob = await newUser(browser, 'niko', 'Niko Receiver');
    await startChatWith(alice.page, bob);
  });

  test.afterAll(async () => {
    await alice?.context.close();
    await bob?.context.close();
  });

  test('a voice note is recorded, sent, played, sought and sped up; one note plays at a time', async () => {
    // The microphone replaces Send while the box is empty.
    await expect(alice.page.getByRole('button', { name: 'Record voice message' })).toBeVisible();
    await alice.page.getByLabel('Message', { exact: true }).fill('x');
    await expect(alice.page.getByRole('button', { name: 'Record voice message' })).toBeHidden();
    await alice.page.getByLabel('Message', { exact: true }).fill('');

    // Cancelling sends nothing.
    await alice.page.getByRole('button', { name: 'Record voice message' }).click();
    await alice.page.getByRole('button', { name: 'Cancel recording' }).click();
    await expect(alice.page.getByRole('button', { name: 'Record voice message' })).toBeVisible();
    await expect(thread(alice.page).getByRole('button', { name: 'Play voice message' })).toHaveCount(0);

    await recordVoiceNote(alice.page, 2, 'media-recording.png');
    await recordVoiceNote(alice.page, 1);
    const mine = thread(alice.page).getByRole('listitem').filter({ has: alice.page.getByRole('slider', { name: 'Seek' }) });
    await expect(mine).toHaveCount(2);
    await expect(mine.first().getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

    // Bob's list says what arrived, then he opens the chat.
    const row = bob.page.getByRole('link', { name: /Mara Sender/ });
    await expect(row).toContainText('Voice message');
    await row.click();
    const notes = thread(bob.page).getByRole('listitem').filter({ has: bob.page.getByRole('slider', { name: 'Seek' }) });
    await expect(notes).toHaveCount(2);
    const first = notes.first();
    const seek = first.getByRole('slider', { name: 'Seek' });
    // Recorded until the clock showed 0:02: at least 2 s (how much more depends on the machine).
    await expect(seek).toHaveAttribute('aria-valuemax', /^[1-9]\d*$/);
    const total = Number(await seek.getAttribute('aria-valuemax'));
    expect(total).toBeGreaterThanOrEqual(2);
    await expect(first).toContainText(`0:00 / ${clock(total)}`);

    // Play: the button turns into Pause and time runs.
    await first.getByRole('button', { name: 'Play voice message' }).click();
    await expect(first.getByRole('button', { name: 'Pause voice message' })).toBeVisible();
    // Starting the second note pauses the first.
    await notes.nth(1).getByRole('button', { name: 'Play voice message' }).click();
    await expect(notes.nth(1).getByRole('button', { name: 'Pause voice message' })).toBeVisible();
    await expect(first.getByRole('button', { name: 'Play voice message' })).toBeVisible();
    await notes.nth(1).getByRole('button', { name: 'Pause voice message' }).click();

    // Seek by clicking the waveform past its middle, then with the keyboard (2 s a step).
    const box = await seek.boundingBox();
    await seek.press('Home');
    await expect(seek).toHaveAttribute('aria-valuenow', '0');
    await seek.click({ position: { x: box.width * 0.6, y: box.height / 2 } });
    const position = async () => Number(await seek.getAttribute('aria-valuenow'));
    await expect.poll(position).toBeGreaterThanOrEqual(Math.floor(total / 2));
    expect(await position()).toBeLessThanOrEqual(Math.ceil((total + 1) * 0.7));
    await seek.press('Home');
    await expect(seek).toHaveAttribute('aria-valuenow', '0');
    await seek.press('ArrowRight');
    await expect(seek).toHaveAttribute('aria-valuetext', `0:02 of ${clock(total)}`);
    await seek.press('ArrowLeft');
    await expect(seek).toHaveAttribute('aria-valuetext', `0:00 of ${clock(total)}`);

    // Speed cycles 1× → 1.5× → 2× → 1×.
    await first.getByRole('button', { name: 'Playback speed 1×' }).click();
    await first.getByRole('button', { name: 'Playback speed 1.5×' }).click();
    await expect(first.getByRole('button', { name: 'Playback speed 2×' })).toBeVisible();

    // Played from the start at 2×, it runs to the end and resets.
    await first.getByRole('button', { name: 'Play voice message' }).click();
    await expect(first.getByRole('button', { name: 'Pause voice message' })).toBeVisible();
    await expect(first.getByRole('button', { name: 'Play voice message' })).toBeVisible({ timeout: 15_000 + total * 500 });
  });

  test('a photo with a caption and a dropped PDF appear for the other person', async () => {
    const page = alice.page;
    await attachViaPaperclip(page, { name: 'sunset.png', mimeType: 'image/png', buffer: png(480, 320) });
    const sheet = page.getByRole('dialog', { name: 'Send photo' });
    await expect(sheet.getByRole('img', { name: 'Preview of sunset.png' })).toBeVisible();
    await expect(sheet).toContainText('Up to 4 MB');
    await sheet.getByLabel('Caption').fill('Sunset at the beach');
    await page.screenshot({ path: path.join(screenshots, 'media-attach-sheet.png') });
    await sheet.getByRole('button', { name: 'Send' }).click();
    await expect(sheet).toBeHidden();
    const photo = thread(page).getByRole('listitem').filter({ hasText: 'Sunset at the beach' });
    await expect(photo.getByRole('button', { name: 'Open photo' })).toBeVisible();
    await expect(photo.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

    await dropFile(page, { name: 'notes.pdf', mimeType: 'application/pdf', buffer: PDF });
    const docSheet = page.getByRole('dialog', { name: 'Send document' });
    await expect(docSheet).toContainText('notes.pdf');
    await docSheet.getByRole('button', { name: 'Send' }).click();
    await expect(docSheet).toBeHidden();
    await expect(thread(page).getByRole('link', { name: 'Download notes.pdf' })).toBeVisible();

    // Bob: the thumbnail, sized before it loads, and the viewer.
    const other = bob.page;
    const received = thread(other).getByRole('listitem').filter({ hasText: 'Sunset at the beach' });
    const open = received.getByRole('button', { name: 'Open photo' });
    await expect(open).toBeVisible();
    const thumb = open.getByRole('img');
    await expect(thumb).toHaveAttribute('width', '300');
    await expect(thumb).toHaveAttribute('height', '200');
    await expect.poll(() => thumb.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await open.click();
    const viewer = other.getByRole('dialog', { name: 'Photo' });
    await expect(viewer).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();
    // Tab stays inside the viewer.
    await other.keyboard.press('Tab');
    await expect(viewer.getByRole('link', { name: 'Download photo' })).toBeFocused();
    await other.keyboard.press('Tab');
    await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();
    await expect(viewer.getByRole('link', { name: 'Download photo' })).toHaveAttribute('href', /^\/media\/[0-9a-f]{32}$/);
    await expect.poll(() => viewer.getByRole('img').evaluate((img) => img.complete && img.naturalWidth)).toBe(480);
    await audit(other, 'photo viewer', '[role=dialog]');
    await other.screenshot({ path: path.join(screenshots, 'media-viewer.png') });
    await other.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
    await expect(open).toBeFocused();
    await open.click();
    await other.getByRole('dialog', { name: 'Photo' }).getByRole('button', { name: 'Close' }).click();
    await expect(viewer).toBeHidden();

    // The document card: name, size and a download link that really downloads.
    const card = thread(other).getByRole('listitem').filter({ hasText: 'notes.pdf' });
    await expect(card).toContainText(/PDF · \d+ B/);
    const download = card.getByRole('link', { name: 'Download notes.pdf' });
    await expect(download).toHaveAttribute('download', 'notes.pdf');
    const href = await download.getAttribute('href');
    const response = await other.request.get(href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-disposition']).toMatch(/^attachment/);
    expect((await response.body()).subarray(0, 8).toString()).toBe('%PDF-1.4');
    await expect(other.getByRole('link', { name: /Mara Sender/ })).toContainText('📄 notes.pdf');

    await audit(other, 'thread with media', 'main');
    await other.screenshot({ path: path.join(screenshots, 'media-desktop-light.png') });

    // The same thread on a phone in the dark theme.
    await other.context().addCookies([{ name: 'theme', value: 'dark', url: other.url() }]);
    await other.setViewportSize({ width: 390, height: 800 });
    await other.reload();
    await expectOnline(other);
    await expect(thread(other).getByRole('button', { name: 'Open photo' })).toBeVisible();
    await audit(other, 'thread with media, dark', 'main');
    await other.screenshot({ path: path.join(screenshots, 'media-phone-dark.png') });
  });

  test('files over 4 MB are refused before upload, and server refusals are explained', async () => {
    const page = alice.page;
    const uploads = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/media')) uploads.push(request);
    });
    await attachViaPaperclip(page, { name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 0x25) });
    const sheet = page.getByRole('dialog', { name: 'Send document' });
    await expect(sheet.getByRole('alert')).toHaveText('This file is too large (5.0 MB). Files can be up to 4 MB.');
    await expect(sheet.getByRole('button', { name: 'Send' })).toBeDisabled();
    await expect(sheet.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await sheet.getByRole('button', { name: 'Cancel' }).click();
    await expect(sheet).toBeHidden();
    expect(uploads).toHaveLength(0);

    // An upload that hangs shows its progress and can be cancelled: nothing is sent.
    await page.route('**/api/media', () => new Promise(() => {}));
    await attachViaPaperclip(page, { name: 'slow.png', mimeType: 'image/png', buffer: png(64, 64) });
    const slow = page.getByRole('dialog', { name: 'Send photo' });
    await slow.getByRole('button', { name: 'Send' }).click();
    await expect(slow.getByRole('progressbar', { name: 'Upload progress' })).toBeVisible();
    await expect(slow.getByRole('button', { name: 'Send' })).toBeDisabled();
    await slow.getByRole('button', { name: 'Cancel upload' }).click();
    await expect(slow).toBeHidden();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await expect(thread(page).getByRole('button', { name: 'Open photo' })).toHaveCount(1);
    uploads.length = 0;

    // A pasted image opens the same sheet.
    await page.getByLabel('Message', { exact: true }).evaluate((box, bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, [...png(32, 32)]);
    const pasted = page.getByRole('dialog', { name: 'Send photo' });
    await expect(pasted.getByRole('img', { name: 'Preview of pasted.png' })).toBeVisible();
    await pasted.getByRole('button', { name: 'Cancel' }).click();
    await expect(pasted).toBeHidden();
    expect(uploads).toHaveLength(0);

    // A type the server refuses by its bytes: its message is shown and the sheet stays.
    await attachViaPaperclip(page, { name: 'page.txt', mimeType: 'text/plain', buffer: Buffer.from('<!doctype html><script>alert(1)</script>') });
    const refused = page.getByRole('dialog', { name: 'Send document' });
    await refused.getByRole('button', { name: 'Send' }).click();
    await expect(refused.getByRole('alert')).toContainText('cannot be sent');
    expect(uploads).toHaveLength(1);
    await page.keyboard.press('Escape');
    await expect(refused).toBeHidden();
  });
});

// The project's browser grants the fake microphone by itself; this one asks, and headless
// Chromium answers no.
test('a denied microphone is explained and the composer keeps working', async ({ baseURL }) => {
  const { launchOptions } = require('../playwright.config').use;
  const browser = await chromium.launch({
    ...launchOptions,
    args: launchOptions.args.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
  });
  const options = { baseURL };
  const olga = await newUser(browser, 'olga', 'Olga Quiet', options);
  const petr = await newUser(browser, 'petr', 'Petr Listener', options);
  await startChatWith(olga.page, petr);

  await olga.page.getByRole('button', { name: 'Record voice message' }).click();
  await expect(olga.page.getByRole('alert')).toContainText('Microphone access was denied');
  await expect(olga.page.getByRole('group', { name: 'Voice message' })).toBeHidden();
  await olga.page.screenshot({ path: path.join(screenshots, 'media-microphone-denied.png') });

  const box = olga.page.getByLabel('Message', { exact: true });
  await box.fill('Typing instead');
  await box.press('Enter');
  await expect(thread(olga.page).getByRole('listitem').filter({ hasText: 'Typing instead' })
    .getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();

  await browser.close();
});
