// Accessibility audit with axe-core: no serious or critical violations on the landing, login
// and chat pages, in light and dark themes.
const { test, expect } = require('./fixtures');
const { uniqueName, register, expectOnline, audit, confirmDelete } = require('./helpers');


for (const theme of ['light', 'dark']) {
  test(`no serious accessibility violations in the ${theme} theme`, async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: 'theme', value: theme, url: baseURL }]);
    await page.goto('/');
    await audit(page, `landing (${theme})`);
    await page.goto('/login');
    await audit(page, `login (${theme})`);

    const other = uniqueName('axeb');
    const otherPage = await context.browser().newContext().then((c) => c.newPage());
    await register(otherPage, { username: other, displayName: 'Axe Buddy' });
    await otherPage.context().close();

    await register(page, { username: uniqueName('axe'), displayName: 'Axe Tester' });
    await expectOnline(page);
    await audit(page, `empty chat (${theme})`);
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Search people').fill(other);
    await page.getByRole('button', { name: 'Chat with Axe Buddy' }).click();
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('Checking contrast and names');
    await box.press('Enter');
    const messages = page.getByRole('list', { name: 'Messages' });
    const first = messages.getByRole('listitem').filter({ hasText: 'Checking contrast and names' });
    await expect(first.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();
    // A quote and a deleted message of my own, the two that failed contrast and naming.
    await first.hover();
    await first.getByRole('button', { name: 'Reply' }).click();
    await box.fill('A reply that quotes it');
    await box.press('Enter');
    await expect(messages.getByRole('link', { name: /Checking contrast and names/ })).toBeVisible();
    await box.fill('Soon to be deleted');
    await box.press('Enter');
    const doomed = messages.getByRole('listitem').filter({ hasText: 'Soon to be deleted' });
    await expect(doomed.getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();
        await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await confirmDelete(page);
    await expect(messages.getByText('This message was deleted')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Axe Buddy');
    await audit(page, `open chat with a quote and a deleted message (${theme})`);
  });
}
