import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { launchChromium } from '../../testing/chromium.ts';
import { alternativesForm } from './form-parts.ts';

const STYLESHEET = readFileSync(new URL('../assets/stepup.css', import.meta.url), 'utf8');

test('"Try another way": its buttons stand apart, each from the next', async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const form = alternativesForm({
    action: '/interaction/x/method',
    csrfToken: 'token',
    choices: [
      { method: 'totp', label: 'Use an authenticator app code' },
      { method: 'webauthn', label: 'Use a security key or passkey' },
      { method: 'recovery', label: 'Use a recovery code' },
    ],
  });
  await page.setContent(`<style>${STYLESHEET}</style><main class="card">${form}</main>`);
  const boxes = await page.locator('.alternatives button').evaluateAll((buttons) =>
    buttons.map((button) => {
      const { top, bottom } = button.getBoundingClientRect();
      return { top, bottom };
    }),
  );
  assert.equal(boxes.length, 3);
  for (let index = 1; index < boxes.length; index++) {
    const gap = (boxes[index]?.top ?? 0) - (boxes[index - 1]?.bottom ?? 0);
    assert.ok(gap >= 8, `button ${index + 1} is ${gap}px below the one before`);
  }
});
