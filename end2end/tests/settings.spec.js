// Settings: where I am logged in, logging another device out (its page goes to the log-in at
// once), and changing my password; on a desktop and on a phone-sized screen.
const { test, expect } = require('./fixtures');
const { PASSWORD, newUser, login, expectOnline, audit } = require('./helpers');

const NEW_PASSWORD = 'a brand new passphrase';

test('devices: another device is logged out from the list, then the password is changed', async ({ browser }) => {
  const ada = await newUser(browser, 'setta', 'Ada Devices');
  // The same person on a phone.
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const phone = await phoneContext.newPage();
  await login(phone, { username: ada.username });
  await expect(phone).toHaveURL(/\/chat$/);
  await expectOnline(phone);

  const { page } = ada;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Settings' });
  const devices = panel.getByRole('list', { name: 'Logged-in devices' });
  await expect(devices.getByRole('listitem')).toHaveCount(2);
  await expect(devices.getByRole('listitem').first()).toContainText('This device');
  await audit(page, 'settings panel', '.settings-panel');

  // The phone is the other one: logging it out sends its page to the log-in.
  await devices.getByRole('button', { name: /^Log out / }).click();
  await expect(phone).toHaveURL(/\/login/, { timeout: 30_000 });
  await expect(devices.getByRole('listitem')).toHaveCount(1);
  await expect(panel.getByRole('button', { name: 'Log out all other devices' })).toBeHidden();

  // A wrong current password is explained and changes nothing.
  await panel.getByLabel('Current password').fill('not my password');
  await panel.getByLabel('New password').fill(NEW_PASSWORD);
  await panel.getByRole('button', { name: 'Change password' }).click();
  await expect(panel.getByRole('alert')).toContainText('current password is not right');

  await panel.getByLabel('Current password').fill(PASSWORD);
  await panel.getByLabel('New password').fill(NEW_PASSWORD);
  await panel.getByRole('button', { name: 'Change password' }).click();
  await expect(panel.getByRole('status')).toHaveText('Password changed.');
  // The session goes on under a new id: the page reconnects (reloading) and stays logged in.
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toBeVisible();
  await expectOnline(page);

  // The new password logs in on the phone; the old one no longer does.
  await login(phone, { username: ada.username, password: PASSWORD });
  await expect(phone.getByRole('alert')).toContainText('Wrong username or password');
  await login(phone, { username: ada.username, password: NEW_PASSWORD });
  await expect(phone).toHaveURL(/\/chat$/);
  await expectOnline(phone);

  // On the phone, Settings lists both, in the dark theme too.
  await phone.getByRole('button', { name: 'Settings', exact: true }).tap();
  const phoneDevices = phone.getByRole('list', { name: 'Logged-in devices' });
  await expect(phoneDevices.getByRole('listitem')).toHaveCount(2);
  await phone.emulateMedia({ colorScheme: 'dark' });
  await audit(phone, 'settings panel, phone, dark', '.settings-panel');
  await phone.getByRole('button', { name: 'Log out all other devices' }).tap();
  await expect(phoneDevices.getByRole('listitem')).toHaveCount(1);
  await expect(page).toHaveURL(/\/login/, { timeout: 30_000 });
  await phoneContext.close();
  await ada.context.close();
});
