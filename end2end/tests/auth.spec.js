const { test, expect } = require('./fixtures');
const path = require('path');
const { PASSWORD, uniqueName, register, login, expectOnline } = require('./helpers');

const screenshots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

test('register, reach the chat, stay logged in across a reload, log out', async ({ page }) => {
  const username = uniqueName('ann');
  await register(page, { username, displayName: 'Ann Example' });

  await expect(page.getByRole('complementary', { name: 'Chats' })).toContainText('Ann Example');
  await expectOnline(page);
  await page.screenshot({ path: path.join(screenshots, 'chat-shell.png') });

  await page.reload();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole('complementary', { name: 'Chats' })).toContainText('Ann Example');
  await expectOnline(page);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/chat');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password shows a clear error and keeps the user on the login page', async ({ page }) => {
  const username = uniqueName('ben');
  await register(page, { username, displayName: 'Ben' });
  await expectOnline(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await login(page, { username, password: 'not my password' });
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(page).toHaveURL(/\/login/);

  await login(page, { username });
  await expect(page).toHaveURL(/\/chat$/);
});

test('the theme toggle switches and survives a reload without a flash', async ({ page }) => {
  await register(page, { username: uniqueName('cat'), displayName: 'Cat' });
  await expectOnline(page);
  const html = page.locator('html');
  const toggle = page.getByRole('button', { name: /theme/ });
  await toggle.click(); // system -> light
  await toggle.click(); // light -> dark
  await expect(html).toHaveAttribute('data-theme', 'dark');
  // The server renders the chosen theme: check the raw HTML, before any script runs.
  const response = await page.request.get('/chat');
  expect(await response.text()).toContain('data-theme="dark"');
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expectOnline(page);
  await page.screenshot({ path: path.join(screenshots, 'chat-shell-dark.png') });
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('register, log out and log in with plain form posts', async ({ page }) => {
    const username = uniqueName('dan');
    await register(page, { username, displayName: 'Dan NoScript' });
    await expect(page.getByRole('complementary', { name: 'Chats' })).toContainText('Dan NoScript');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);

    await login(page, { username, password: 'wrong password' });
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

    await login(page, { username, password: PASSWORD });
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole('complementary', { name: 'Chats' })).toContainText('Dan NoScript');
  });
});
