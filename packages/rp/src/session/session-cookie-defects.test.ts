import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ADAPTERS,
  type AdapterApp,
  PRIVATE_PAGE,
  startAdapterApp,
  TEST_CLIENT_ID,
} from '../testing/adapter-apps.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { signInWithPasswordToken } from '../testing/sign-in-with-password-token.ts';

const SESSION_COOKIE = 'stepup';
/** The SDK's default session lifetime (`sessionTtl`), in seconds. */
const SESSION_TTL = 12 * 3600;

/** The cookies an answer sets, as a `Cookie` header (cleared ones left out). */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

function sessionValue(cookie: string): string {
  const value = new URLSearchParams(cookie.replaceAll('; ', '&')).get(SESSION_COOKIE);
  assert.ok(value, `no ${SESSION_COOKIE} cookie in ${cookie}`);
  return value;
}

/** Changes one character in the middle of the sealed value (its ciphertext). */
function tamper(value: string): string {
  const at = Math.floor(value.length / 2);
  return `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
}

interface Defect {
  name: string;
  /** The `Cookie` header the browser sends instead of the good one. */
  cookie(context: { good: string; otherSecret: string; transaction: string }): string;
  /** Seconds the application's clock moves on before the request. */
  later?: number;
}

const DEFECTS: Defect[] = [
  { name: 'tampered', cookie: ({ good }) => `${SESSION_COOKIE}=${tamper(sessionValue(good))}` },
  { name: 'truncated', cookie: ({ good }) => `${SESSION_COOKIE}=${sessionValue(good).slice(0, -12)}` },
  { name: 'empty', cookie: () => `${SESSION_COOKIE}=` },
  { name: 'not a sealed value', cookie: () => `${SESSION_COOKIE}=eyJhbGciOiJub25lIn0.e30.` },
  { name: 'expired', cookie: ({ good }) => good, later: SESSION_TTL + 1 },
  { name: 'sealed with another secret', cookie: ({ otherSecret }) => otherSecret },
  {
    name: 'a transaction cookie under the session name',
    cookie: ({ transaction }) => `${SESSION_COOKIE}=${transaction.split('=').slice(1).join('=')}`,
  },
];

// A session cookie the application did not seal, or no longer accepts, is no session: on every
// adapter the private page sends the browser to the provider to sign in, as with no cookie at all.
for (const adapter of ADAPTERS) {
  describe(`session cookie defects on the ${adapter} adapter`, () => {
    let provider: ForgingProvider;
    let app: AdapterApp;
    let otherApp: AdapterApp;
    let offset = 0;
    const clock = () => Math.floor(Date.now() / 1000) + offset;
    const signIn = async (target: AdapterApp) =>
      cookieHeader(
        await signInWithPasswordToken(target.send, provider, { app: target.url, clientId: TEST_CLIENT_ID }),
      );
    const openPrivatePage = (cookie?: string) =>
      app.send(new Request(`${app.url}${PRIVATE_PAGE}`, cookie === undefined ? {} : { headers: { cookie } }));

    before(async () => {
      provider = await startForgingProvider();
      app = await startAdapterApp(adapter, provider, { clock });
      otherApp = await startAdapterApp(adapter, provider, {
        sessionSecret: 'another application, another secret of 32+ bytes',
      });
    });
    after(async () => {
      await app.close();
      await otherApp.close();
      await provider.close();
    });

    test('controls: the sealed cookie opens the page; no cookie is sent to sign in', async () => {
      offset = 0;
      const opened = await openPrivatePage(await signIn(app));
      assert.equal(opened.status, 200);
      assert.equal(await opened.text(), 'private');
      const anonymous = await openPrivatePage();
      assert.equal(anonymous.status, 302);
      assert.equal(anonymous.headers.get('location')?.startsWith(`${provider.issuer}/authorize?`), true);
    });

    for (const defect of DEFECTS) {
      test(`session cookie ${defect.name}: no session, sent to sign in`, async () => {
        offset = 0;
        const good = await signIn(app);
        const otherSecret = await signIn(otherApp);
        const login = await app.send(new Request(`${app.url}/auth/login`));
        const transaction = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
        offset = defect.later ?? 0;
        const refused = await openPrivatePage(defect.cookie({ good, otherSecret, transaction }));
        assert.equal(refused.status, 302);
        assert.equal(refused.headers.get('location')?.startsWith(`${provider.issuer}/authorize?`), true);
      });
    }
  });
}
