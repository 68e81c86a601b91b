import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppPage } from '../support/browser.js';
import { startHost, tempDir, type RunningHost } from '../support/host.js';

const hosts: RunningHost[] = [];
const pages: AppPage[] = [];

async function launch(options: Parameters<typeof startHost>[0] = {}) {
  const host = await startHost(options);
  hosts.push(host);
  const app = await openApp(host.url);
  pages.push(app);
  return { host, app, page: app.page };
}

afterEach(async () => {
  await Promise.all(pages.splice(0).map((app) => app.close()));
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

describe('the app shell in Chromium against a host', () => {
  it('loads with no console errors and every screen can be reached by its name', async () => {
    const { app, page } = await launch({ name: 'Alice' });
    await page.getByRole('heading', { name: 'People on your network' }).waitFor();
    await expect(page.getByTestId('my-name').textContent()).resolves.toBe('Alice');
    const screens = [
      ['Call', 'Call'],
      ['Files', 'Files'],
      ['Dial pad', 'Dial pad'],
      ['Settings', 'Settings'],
      ['Peers', 'People on your network'],
    ] as const;
    for (const [button, heading] of screens) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: button }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await expect(page.getByRole('button', { name: button, exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    }
    // Every button, field and list box has an accessible name a screen reader can announce.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea, a[href]')]
        .filter((element) => {
          const labelled = element.getAttribute('aria-label') || element.textContent?.trim() || (element as HTMLInputElement).labels?.length;
          return !labelled;
        })
        .map((element) => element.outerHTML),
    );
    expect(unnamed).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it('keeps a setting changed in the UI across a host restart', async () => {
    const dataDir = tempDir('persist');
    const first = await launch({ dataDir });
    await first.page.getByRole('button', { name: 'Settings' }).click();
    await first.page.getByLabel('Display name').fill('Bora Kim');
    await first.page.getByLabel('Language').selectOption('ko');
    await first.page.getByRole('button', { name: 'Save', exact: true }).click();
    // The UI switches language as soon as the setting is stored.
    await first.page.getByRole('button', { name: '설정', exact: true }).waitFor();
    await first.app.close();
    await first.host.stop();
    pages.length = 0;
    hosts.length = 0;

    const second = await launch({ dataDir });
    await second.page.getByRole('button', { name: '설정', exact: true }).click();
    await expect(second.page.getByLabel('표시 이름').inputValue()).resolves.toBe('Bora Kim');
    expect(second.app.errors).toEqual([]);
  });

  it('shows an invalid setting as a clear error and keeps the stored value', async () => {
    const { page, app } = await launch({ name: 'Alice' });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Display name').fill('   ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'displayName: must not be empty' }).first().waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByLabel('Display name').inputValue()).resolves.toBe('Alice');
    expect(app.errors).toEqual([]);
  });

  it('records the mute shortcut from the keys pressed, refuses a system one in words, and keeps the choice', async () => {
    const { page, app } = await launch({ name: 'Alice' });
    await page.getByRole('button', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Keyboard shortcuts' });
    const mute = form.getByLabel('Mute or unmute from any application');
    await expect(mute.inputValue()).resolves.toBe('CommandOrControl+Shift+M');
    await mute.focus();
    await page.keyboard.press('Control+Shift+K');
    await expect(mute.inputValue()).resolves.toBe('CommandOrControl+Shift+K');
    // A letter alone is not a global shortcut; the field keeps what it had.
    await page.keyboard.press('J');
    await expect(mute.inputValue()).resolves.toBe('CommandOrControl+Shift+K');
    await form.getByLabel('Hold to talk while muted (in the call screen)').selectOption('F13');
    await form.getByRole('button', { name: 'Save shortcuts' }).click();
    await form.getByText('Shortcuts saved.').waitFor();

    await mute.focus();
    await page.keyboard.press('Control+Q');
    await form.getByRole('button', { name: 'Save shortcuts' }).click();
    await form.getByRole('alert').filter({ hasText: 'CommandOrControl+Q is already used by the system or by other applications' }).waitFor();

    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(mute.inputValue()).resolves.toBe('CommandOrControl+Shift+K');
    await expect(form.getByLabel('Hold to talk while muted (in the call screen)').inputValue()).resolves.toBe('F13');
    // Backspace alone clears it: no global shortcut at all.
    await mute.focus();
    await page.keyboard.press('Backspace');
    await form.getByRole('button', { name: 'Save shortcuts' }).click();
    await form.getByText('Shortcuts saved.').waitFor();
    await expect(mute.inputValue()).resolves.toBe('');
    expect(app.errors).toEqual([]);
  });

  it('starts in Korean with --lang ko', async () => {
    const { page, app } = await launch({ lang: 'ko' });
    await page.getByRole('heading', { name: '같은 네트워크의 사용자' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ko');
    expect(app.errors).toEqual([]);
  });

  it('follows the dark theme of the OS and the theme chosen in settings', async () => {
    const { page } = await launch();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    expect(dark).not.toBe(light);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Settings saved\.$/ }).waitFor();
    expect(await background()).toBe(dark);
  });
});
