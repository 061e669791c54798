import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { signInWithPasswordToken } from '../testing/sign-in-with-password-token.ts';

// The open redirect end to end: whatever `returnTo` the login route is given, the callback's redirect
// after a valid sign-in stays on the application's origin. Each shape below once left it somewhere.

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';

const hostile = [
  '/..//evil.example/x',
  '/a/../..//evil.example/x',
  '//evil.example/x',
  '/\\evil.example/x',
  '/%2F%2Fevil.example/x',
  '/%5Cevil.example/x',
  'https://evil.example/x',
  'http:/evil.example/x',
  '/%0d%0aLocation:%20https://evil.example',
  `${APP}@evil.example/x`,
];

describe('returnTo never leaves the application (open redirect)', () => {
  let provider: ForgingProvider;
  let rp: StepupRp;

  before(async () => {
    provider = await startForgingProvider();
    rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      allowInsecureRequests: true,
    });
  });
  after(() => provider.close());

  async function signInReturningTo(returnTo: string): Promise<string | null> {
    const loginPath = `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
    const callback = await signInWithPasswordToken(rp, provider, {
      app: APP,
      clientId: CLIENT_ID,
      loginPath,
    });
    return callback.headers.get('location');
  }

  test('control: a same-origin path is where the sign-in ends', async () => {
    assert.equal(await signInReturningTo('/salary?tab=history'), `${APP}/salary?tab=history`);
  });

  for (const returnTo of hostile) {
    test(`returnTo ${JSON.stringify(returnTo)} ends at the start page`, async () => {
      assert.equal(await signInReturningTo(returnTo), `${APP}/`);
    });
  }

  test('loginUrl() refuses the same shapes', () => {
    for (const returnTo of hostile) {
      assert.equal(new URL(rp.loginUrl({ returnTo })).searchParams.get('returnTo'), '/', returnTo);
    }
  });
});
