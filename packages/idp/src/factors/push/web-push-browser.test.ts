import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';

describe('Web Push in the authenticator app’s service worker (Chromium)', () => {
  let idp: TestProvider;
  let browser: Browser;

  before(async () => {
    [idp, browser] = await Promise.all([
      startTestProvider({ push: { webPush: { enabled: true, subject: 'mailto:security@example.com' } } }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
  });

  test('a push message shows a notification naming the application, tagged with the request', async (t) => {
    const context = await browser.newContext();
    t.after(() => context.close());
    await context.grantPermissions(['notifications'], { origin: idp.issuer });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const registration = registrations.find((candidate) => candidate.scopeURL.endsWith('/authenticator'));
        if (registration && !registration.isDeleted) resolve(registration.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${idp.issuer}/authenticator`);
    await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);

    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: idp.issuer,
      registrationId: await registrationId,
      data: JSON.stringify({ challengeId: 'c0ffee00-0000-4000-8000-000000000001', clientName: 'Salary' }),
    });
    const shown = await page.waitForFunction(async () => {
      const registration = await navigator.serviceWorker.ready;
      const [notification] = await registration.getNotifications();
      return notification && { title: notification.title, tag: notification.tag, data: notification.data };
    });
    assert.deepEqual(await shown.jsonValue(), {
      title: 'Sign-in request from Salary',
      tag: 'c0ffee00-0000-4000-8000-000000000001',
      data: { challengeId: 'c0ffee00-0000-4000-8000-000000000001' },
    });
  });
});
