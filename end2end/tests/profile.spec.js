// Profiles: a person changes their name, about line and photo; their contact sees the change
// live, in the chat list and the chat header.
const { test, expect } = require('./fixtures');
const path = require('path');
const zlib = require('zlib');
const { newUser } = require('./helpers');

const screenshots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

/** A small, valid PNG of one colour, built here so the test needs no fixture file. */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}


test('a new name, about line and photo reach a contact live', async ({ browser }) => {
  const alice = await newUser(browser, 'prof', 'Alice Before');
  const bob = await newUser(browser, 'prog', 'Bob Contact');
  await alice.page.getByRole('button', { name: 'New chat' }).click();
  await alice.page.getByLabel('Search people').fill(bob.username);
  await alice.page.getByRole('button', { name: 'Chat with Bob Contact' }).click();
  await expect(alice.page).toHaveURL(/\/chat\/\d+$/);
  await expect(bob.page.getByRole('link', { name: /Alice Before/ })).toBeVisible();

  await alice.page.getByRole('button', { name: 'Profile' }).click();
  const panel = alice.page.getByRole('region', { name: 'Profile' });
  await panel.getByLabel('Your name').fill('Alice After');
  await panel.getByLabel('About').fill('Out hiking 🏔');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('status')).toHaveText('Profile saved.');
  await expect(alice.page.getByRole('button', { name: 'Profile' })).toContainText('Alice After');

  // Too long a name is refused by the server with a clear message; nothing changes.
  await panel.getByLabel('Your name').evaluate((input) => input.removeAttribute('maxlength'));
  await panel.getByLabel('Your name').fill('x'.repeat(80));
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('alert')).toContainText('at most 64 characters');

  await panel.locator('input[type=file]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png(96, 96, [30, 140, 200]) });
  await expect(panel.getByRole('status')).toHaveText('Photo updated.');
  await expect(panel.getByRole('button', { name: 'Remove photo' })).toBeVisible();
  const headerPhoto = alice.page.getByRole('button', { name: 'Profile' }).locator('img');
  await expect(headerPhoto).toHaveAttribute('src', /^\/media\/[0-9a-f]{32}\/thumb$/);
  await expect.poll(() => headerPhoto.evaluate((img) => img.naturalWidth)).toBeGreaterThan(0);

  // Bob's list and header follow without a reload.
  const row = bob.page.getByRole('link', { name: /Alice After/ });
  await expect(row).toBeVisible();
  await expect(row.locator('img')).toHaveAttribute('src', /^\/media\/[0-9a-f]{32}\/thumb$/);
  await row.click();
  await expect(bob.page.getByRole('banner').or(bob.page.locator('.conversation-header')).getByRole('heading', { name: 'Alice After' })).toBeVisible();
  await alice.page.screenshot({ path: path.join(screenshots, 'profile-desktop-light.png') });

  // A document is not a profile photo.
  await panel.locator('input[type=file]').setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await expect(panel.getByRole('alert')).toContainText('must be a photo');
  await alice.context.close();
  await bob.context.close();
});
