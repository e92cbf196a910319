// Accessibility audit with axe-core: no serious or critical violations on the landing, login
// and chat pages, in light and dark themes.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const { uniqueName, register, expectOnline } = require('./helpers');

async function audit(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `${label}\n${summary.join('\n')}`).toEqual([]);
}

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
    await expect(page.getByRole('list', { name: 'Messages' }).getByRole('img', { name: /Sent|Delivered|Read/ })).toBeVisible();
    await audit(page, `open chat (${theme})`);
  });
}
