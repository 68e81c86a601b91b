/**
 * The dial pad with the keyboard alone, as a screen-reader user meets it: every key and control is
 * reached by Tab and announced by name; digits typed anywhere edit the number; pasted numbers are
 * cleaned; holding 0 gives +; A-D sit behind a toggle; without a SIP account Call does nothing and
 * the status line says why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';

afterEach(closeAll);

const KEYS = ['Digit 1', 'Digit 2', 'Digit 3', 'Digit 4', 'Digit 5', 'Digit 6', 'Digit 7', 'Digit 8', 'Digit 9', 'Star', 'Digit 0', 'Pound'];

async function openDialPad(instance: Instance) {
  const { page } = instance;
  await page.getByRole('heading', { name: 'People on your network' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dial pad' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Dial pad', exact: true }).waitFor();
  return page;
}

/** The role and accessible name of the focused element, as the accessibility tree has them. */
async function focused(page: Instance['page']): Promise<string> {
  const line = (await page.locator('*:focus').ariaSnapshot()).split('\n')[0] ?? '';
  const match = /^- (\w+)(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
  return match ? `${match[1]} "${match[2] ?? ''}"` : line;
}

/** Presses Tab until `last` has focus, collecting what each stop announces. */
async function tabUntil(page: Instance['page'], last: string): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
    if (stops.at(-1) === last) return stops;
  }
  throw new Error(`Tab never reached ${last}; it went through:\n${stops.join('\n')}`);
}

async function paste(page: Instance['page'], text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('Control+V');
}

describe('the dial pad, keyboard only', () => {
  it('reaches and names every key and control, and edits the number from the keyboard', async () => {
    const alice = await launchInstance({ name: 'Alice' });
    await alice.app.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await openDialPad(alice);
    const number = page.getByRole('textbox', { name: 'Number' });

    // Without an account the status says so and Call stays inert (reachable, marked disabled).
    await page.getByRole('status').filter({ hasText: 'No SIP account: add one in Settings' }).waitFor();
    const call = page.getByRole('region', { name: 'Dial pad' }).getByRole('button', { name: 'Call', exact: true });
    await expect(call.getAttribute('aria-disabled')).resolves.toBe('true');

    // From the navigation, Tab reaches the field; digits typed there edit it as text.
    const toField = await tabUntil(page, 'textbox "Number"');
    expect(toField.at(-2)).toBe('button "Settings"');
    await page.keyboard.type('123');
    await expect(number.inputValue()).resolves.toBe('123');

    // Every control after the field, in reading order, each with its name.
    const stops = await tabUntil(page, 'button "Redial"');
    expect(stops).toEqual([
      'button "Delete last digit"',
      'button "Clear number"',
      ...KEYS.map((name) => `button "${name}"`),
      'button "Show A–D keys"',
      'button "Call"',
      'button "Redial"',
    ]);

    // Digits typed while a key has focus go into the number; Backspace deletes the last one.
    await page.getByRole('button', { name: 'Digit 5' }).focus();
    await page.keyboard.type('4#*');
    await expect(number.inputValue()).resolves.toBe('1234#*');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await expect(number.inputValue()).resolves.toBe('1234');
    // Enter and Space press the focused key.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await expect(number.inputValue()).resolves.toBe('123455');
    // Letters are not digits: typed outside the field they do nothing.
    await page.keyboard.type('xyz');
    await expect(number.inputValue()).resolves.toBe('123455');

    // The delete and clear buttons.
    await page.getByRole('button', { name: 'Delete last digit' }).focus();
    await page.keyboard.press('Enter');
    await expect(number.inputValue()).resolves.toBe('12345');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button "Clear number"');
    await page.keyboard.press('Enter');
    await expect(number.inputValue()).resolves.toBe('');

    // A pasted number is cleaned of spaces, brackets and dashes.
    await number.focus();
    await paste(page, '+1 (555) 010-2030');
    await expect(number.inputValue()).resolves.toBe('+15550102030');

    // A paste with letters is refused in words and leaves the number as it was.
    await paste(page, '1-800-FLOWERS');
    await page.getByRole('alert').filter({ hasText: 'A phone number can only hold digits' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Remove “FLOWERS”');
    await expect(number.inputValue()).resolves.toBe('+15550102030');
    await expect(number.getAttribute('aria-invalid')).resolves.toBe('true');

    // Enter in the field with no account does not call.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dial pad', exact: true }).waitFor();
    await expect(call.getAttribute('aria-disabled')).resolves.toBe('true');
    expect(alice.app.errors).toEqual([]);
  });

  it('gives + for a long press of 0 and shows the A-D keys behind their toggle', async () => {
    const alice = await launchInstance({ name: 'Alice' });
    const page = await openDialPad(alice);
    const number = page.getByRole('textbox', { name: 'Number' });

    // Holding Enter on 0 for longer than 600 ms gives +; a short press gives 0.
    const zero = page.getByRole('button', { name: 'Digit 0' });
    await zero.focus();
    await page.keyboard.down('Enter');
    await page.waitForTimeout(800);
    await page.keyboard.up('Enter');
    await expect(number.inputValue()).resolves.toBe('+');
    await page.keyboard.press('Enter');
    await expect(number.inputValue()).resolves.toBe('+0');
    // The hint for the long press is part of the key's description, not its name.
    await expect(zero.getAttribute('aria-describedby')).resolves.toBeTruthy();
    await page.getByText('Hold for +').waitFor({ state: 'attached' });

    // A-D are hidden until the toggle is pressed; then they are keys like the others.
    const toggle = page.getByRole('button', { name: 'Show A–D keys' });
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(page.getByRole('button', { name: /^Key [A-D]$/ }).count()).resolves.toBe(0);
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.getByRole('button', { name: /^Key [A-D]$/ }).count()).resolves.toBe(4);
    await page.getByRole('button', { name: 'Digit 1' }).focus();
    const stops = await tabUntil(page, 'button "Key D"');
    expect(stops.filter((stop) => /Key [A-D]/.test(stop))).toEqual(['button "Key A"', 'button "Key B"', 'button "Key C"', 'button "Key D"']);
    await page.keyboard.press('Enter');
    // With A-D shown, the letters typed on the keyboard count too.
    await page.keyboard.type('b');
    await expect(number.inputValue()).resolves.toBe('+0DB');

    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: /^Key [A-D]$/ }).count()).resolves.toBe(0);

    // The same long press with a pointer: + once, and no 0 from the click that ends it.
    await page.getByRole('button', { name: 'Clear number' }).click();
    await zero.hover();
    await page.mouse.down();
    await page.waitForTimeout(800);
    await page.mouse.up();
    await zero.click();
    await expect(number.inputValue()).resolves.toBe('+0');
    expect(alice.app.errors).toEqual([]);
  });
});
