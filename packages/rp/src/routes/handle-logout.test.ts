import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import { createMemorySessionStore } from '../session/session-store.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { signInWithPasswordToken } from '../testing/sign-in-with-password-token.ts';

// Logout is a state change, so a cross-site page must not be able to trigger it (login CSRF's twin):
// GET only shows a confirmation form, and a POST ends the session only when the browser says it came
// from this application's own origin.

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';

describe('logout: POST from the same origin only', () => {
  let provider: ForgingProvider;
  let rp: StepupRp;
  let cookie = '';

  before(async () => {
    provider = await startForgingProvider();
    rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      // Server-side sessions, so the test can see whether logout really ended one.
      sessionStore: createMemorySessionStore(),
      allowInsecureRequests: true,
    });
  });
  after(() => provider.close());

  beforeEach(async () => {
    const callback = await signInWithPasswordToken(rp, provider, { app: APP, clientId: CLIENT_ID });
    cookie = callback.headers
      .getSetCookie()
      .filter((line) => line.startsWith('stepup='))
      .map((line) => line.split(';')[0])
      .join('; ');
  });

  const signedIn = async () =>
    (await rp.getSession(new Request(`${APP}/`, { headers: { cookie } })))?.sub === 'alice';

  const logout = async (method: string, headers: Record<string, string> = {}) =>
    (await rp.handle(
      new Request(`${APP}/auth/logout`, { method, headers: { cookie, ...headers } }),
    )) as Response;

  test('GET shows a confirmation form that posts back, and ends nothing', async () => {
    const response = await logout('GET', { 'sec-fetch-site': 'cross-site' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /<form method="post" action="\/auth\/logout">/);
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.equal(await signedIn(), true);
  });

  const crossSite: [string, Record<string, string>][] = [
    ['another origin', { origin: 'https://evil.example' }],
    ['a sibling origin on another port', { origin: 'http://127.0.0.1:4001' }],
    ['an opaque origin (sandboxed frame, data: URL)', { origin: 'null' }],
    ['no Origin, Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin, Sec-Fetch-Site same-site (another subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['same Origin but Sec-Fetch-Site cross-site', { origin: APP, 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [name, headers] of crossSite) {
    test(`POST from ${name} is refused with 403 and the session stays`, async () => {
      const response = await logout('POST', headers);
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('location'), null);
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.match(await response.text(), /cross_site_logout/);
      assert.equal(await signedIn(), true);
    });
  }

  const sameOrigin: [string, Record<string, string>][] = [
    ['this origin', { origin: APP, 'sec-fetch-site': 'same-origin' }],
    ['a typed address (Sec-Fetch-Site none)', { 'sec-fetch-site': 'none' }],
    ['a client that sends neither header (not a browser)', {}],
  ];
  for (const [name, headers] of sameOrigin) {
    test(`POST from ${name} ends the session and goes to the provider's end_session_endpoint`, async () => {
      const response = await logout('POST', headers);
      assert.equal(response.status, 303);
      const location = new URL(response.headers.get('location') ?? '');
      assert.equal(location.origin + location.pathname, `${provider.issuer}/logout`);
      assert.equal(await signedIn(), false);
    });
  }
});
