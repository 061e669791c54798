import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADAPTERS, type AdapterApp, startAdapterApp, TEST_CLIENT_ID } from '../testing/adapter-apps.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { signInWithPasswordToken } from '../testing/sign-in-with-password-token.ts';

// The open redirect end to end: whatever `returnTo` the login route is given, the callback's redirect
// after a valid sign-in stays on the application's origin, on every adapter. Each shape below once
// left it somewhere, or would in a browser that normalises the URL.

const hostile = [
  '/..//evil.example/x',
  '/a/../..//evil.example/x',
  '//evil.example/x',
  '/\\evil.example/x',
  '\\/evil.example/x',
  '\\\\evil.example/x',
  '/\t/evil.example/x',
  '/%2F%2Fevil.example/x',
  '/%5Cevil.example/x',
  '%2F%2Fevil.example/x',
  'https://evil.example/x',
  'HTTPS://evil.example/x',
  'http:/evil.example/x',
  'https:evil.example/x',
  'javascript:alert(document.domain)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/%0d%0aLocation:%20https://evil.example',
  '/\r\nLocation: https://evil.example',
  '/x\r\nSet-Cookie: stepup=stolen',
  'http://127.0.0.1@evil.example/x',
];

/** Odd but same-origin paths: they may be kept, and must still land on the application. */
const oddButLocal = ['/%252F%252Fevil.example/x', `/${'a'.repeat(16_000)}`];

for (const adapter of ADAPTERS) {
  describe(`returnTo never leaves the application on the ${adapter} adapter (open redirect)`, () => {
    let provider: ForgingProvider;
    let app: AdapterApp;

    before(async () => {
      provider = await startForgingProvider();
      app = await startAdapterApp(adapter, provider);
    });
    after(async () => {
      await app.close();
      await provider.close();
    });

    /** Where the browser lands after the whole round trip, and the cookies it was given. */
    async function signInReturningTo(
      returnTo: string,
    ): Promise<{ location: string | null; cookies: string[] }> {
      const loginPath = `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
      const callback = await signInWithPasswordToken(app.send, provider, {
        app: app.url,
        clientId: TEST_CLIENT_ID,
        loginPath,
      });
      return { location: callback.headers.get('location'), cookies: callback.headers.getSetCookie() };
    }

    test('control: a same-origin path is where the sign-in ends', async () => {
      assert.equal(
        (await signInReturningTo('/salary?tab=history')).location,
        `${app.url}/salary?tab=history`,
      );
    });

    for (const returnTo of hostile) {
      test(`returnTo ${JSON.stringify(returnTo)} ends at the start page`, async () => {
        const { location, cookies } = await signInReturningTo(returnTo);
        assert.equal(location, `${app.url}/`);
        assert.ok(!cookies.some((line) => line.includes('stolen')), 'no header was injected');
      });
    }

    for (const returnTo of oddButLocal) {
      test(`returnTo ${JSON.stringify(returnTo.slice(0, 40))} (${returnTo.length} characters) stays on the application`, async () => {
        const landing = new URL((await signInReturningTo(returnTo)).location ?? '');
        assert.equal(landing.origin, app.url);
        assert.ok(!landing.pathname.startsWith('//'), landing.pathname.slice(0, 40));
      });
    }

    test('loginUrl() refuses the same shapes', () => {
      for (const returnTo of hostile) {
        assert.equal(new URL(app.rp.loginUrl({ returnTo })).searchParams.get('returnTo'), '/', returnTo);
      }
    });
  });
}
