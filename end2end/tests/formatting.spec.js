// Bodies read like a messenger's: WhatsApp formatting, links that open in a new tab, and
// hostile text that stays text. Both people see the same thing, after a reload too (the
// server renders it, the browser hydrates it), on a desktop and on a phone in the dark theme.
const { test, expect } = require('./fixtures');
const { newUser, startChatWith, send, thread, audit, expectOnline } = require('./helpers');

async function pair(browser, prefix, options = {}) {
  const other = await newUser(browser, `${prefix}o`, `Ode ${prefix}`, options);
  const first = await newUser(browser, `${prefix}f`, `Fen ${prefix}`, options);
  await startChatWith(first.page, other);
  await other.page.getByRole('link', { name: new RegExp(first.displayName) }).click();
  await expect(other.page.getByRole('heading', { level: 1 })).toHaveText(first.displayName);
  return { first, other };
}

function bubbleOf(page, text) {
  return thread(page).getByRole('listitem').filter({ hasText: text }).locator('.bubble');
}

async function expectFormatted(page) {
  const styled = bubbleOf(page, 'meet at');
  await expect(styled.locator('strong')).toHaveText('noon');
  await expect(styled.locator('em')).toHaveText('sharp');
  await expect(styled.locator('s')).toHaveText('eleven');
  await expect(styled.locator('code')).toHaveText('room_42');
  const link = styled.getByRole('link', { name: 'https://example.com/map_a_b' });
  await expect(link).toHaveAttribute('href', 'https://example.com/map_a_b');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(styled.getByRole('link', { name: 'ana@example.com' })).toHaveAttribute('href', 'mailto:ana@example.com');
  await expect(styled.getByRole('link', { name: '+34 600 123 456' })).toHaveAttribute('href', 'tel:+34600123456');

  const list = bubbleOf(page, 'bring');
  await expect(list.getByRole('listitem')).toHaveText(['milk', 'bread']);
  await expect(list.locator('blockquote')).toHaveText('the plan');
  await expect(list.locator('pre')).toHaveText('let x = *1*;');
  await expect(list.locator('.text')).toHaveAttribute('dir', 'auto');
}

test('formatting and links, for both people and after a reload', async ({ browser }) => {
  const { first, other } = await pair(browser, 'fm');
  await send(first.page, 'meet at *noon* _sharp_, not ~eleven~, in `room_42`: https://example.com/map_a_b or ana@example.com, +34 600 123 456');
  await send(first.page, '> the plan\nbring:\n- milk\n- bread\n```\nlet x = *1*;\n```');
  for (const page of [first.page, other.page]) await expectFormatted(page);
  await audit(other.page, 'formatted bubbles', '[aria-label="Messages"]');
  await other.page.screenshot({ path: 'test-results/formatting-desktop-light.png' });

  // The server's HTML is the same, and hydration keeps it.
  await other.page.reload();
  await expectOnline(other.page);
  await expectFormatted(other.page);
});

test('hostile bodies stay text and run nothing', async ({ browser }) => {
  const { first, other } = await pair(browser, 'fx', { viewport: { width: 390, height: 844 }, hasTouch: true, colorScheme: 'dark' });
  const dialogs = [];
  for (const page of [first.page, other.page]) page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const corpus = [
    '<img src=x onerror=alert(1)>',
    'javascript:alert(2)',
    '*<script>alert(3)</script>*',
    '[x](javascript:alert(4)) data:text/html,<b>5</b>',
    '"><svg onload=alert(6)> `</code><b>7</b>`',
  ];
  for (const body of corpus) await send(first.page, body);
  const page = other.page;
  await expect(bubbleOf(page, '<img src=x onerror=alert(1)>')).toBeVisible();
  await expect(bubbleOf(page, '"><svg onload=alert(6)>')).toBeVisible();
  await expect(thread(page).locator('img[src=x], script, svg[onload], b')).toHaveCount(0);
  await expect(thread(page).getByRole('link')).toHaveCount(0);
  await expect(bubbleOf(page, 'alert(3)').locator('strong')).toHaveText('<script>alert(3)</script>');
  await page.reload();
  await expectOnline(page);
  await expect(bubbleOf(page, 'javascript:alert(2)')).toBeVisible();
  await expect(thread(page).locator('img[src=x], script, svg[onload], b')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/formatting-phone-dark.png' });
  expect(dialogs).toEqual([]);
});
