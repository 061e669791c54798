import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import type { ErrorPage, SignInErrorDetails } from './sign-in-error.ts';

// The errorPage option: the app renders the callback's failure pages — the loop guard's 403 among
// them — from the details @stepup/rp hands it, and @stepup/rp still adds its cookies and never lets
// the page turn into a redirect.

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';

describe('errorPage: the app renders the callback failure pages', () => {
  let provider: ForgingProvider;
  let rp: StepupRp;
  const seen: SignInErrorDetails[] = [];
  /** What the app's errorPage answers next; an HTML string by default. */
  let answer: ErrorPage = (details) => `<h1>app page: ${details.error.code}</h1>`;

  before(async () => {
    provider = await startForgingProvider();
    rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      policies: { mfa: { amr: ['mfa'] } },
      allowInsecureRequests: true,
      errorPage: (details) => {
        seen.push(details);
        return answer(details);
      },
    });
  });
  after(() => provider.close());

  async function startLogin(policy?: string, cookie = '') {
    const request = new Request(`${APP}/page`, { headers: { cookie } });
    const response = policy
      ? await rp
          .requireStepUp(policy)(request)
          .then((outcome) => (outcome.allowed ? new Response() : outcome.response))
      : ((await rp.handle(new Request(`${APP}/auth/login?returnTo=/page`))) as Response);
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    const [transaction = ''] = (response.headers.get('set-cookie') ?? '').split(';');
    return {
      state: location.searchParams.get('state') ?? '',
      nonce: location.searchParams.get('nonce') ?? '',
      cookie: [transaction, cookie].filter(Boolean).join('; '),
    };
  }

  const claims = (nonce: string, amr: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: provider.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: now,
      exp: now + 300,
      nonce,
      auth_time: now - 5,
      amr,
    };
  };

  async function callback(started: { state: string; cookie: string }, idToken: string, query = '') {
    provider.tokenResponse = () => ({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
    return (await rp.handle(
      new Request(`${APP}/auth/callback?${query || `code=c&state=${started.state}`}`, {
        headers: { cookie: started.cookie },
      }),
    )) as Response;
  }

  /** Signs alice in with a password only; the session cookie. */
  async function signIn(): Promise<string> {
    const started = await startLogin();
    const response = await callback(started, await provider.sign(claims(started.nonce, ['pwd'])));
    assert.equal(response.status, 303);
    return response.headers
      .getSetCookie()
      .filter((line) => !line.startsWith('stepup.tx.'))
      .map((line) => line.split(';')[0])
      .join('; ');
  }

  const clearsTransaction = (response: Response, state: string) =>
    response.headers.getSetCookie().some((line) => line.startsWith(`stepup.tx.${state}=;`));

  test('the loop guard: a step-up that comes back without mfa gets the app page, 403, with what was required and received', async () => {
    const session = await signIn();
    const started = await startLogin('mfa', session);
    const response = await callback(started, await provider.sign(claims(started.nonce, ['pwd'])));
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('location'), null);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(await response.text(), '<h1>app page: step_up_unmet</h1>');
    assert.ok(clearsTransaction(response, started.state));
    const details = seen.at(-1);
    assert.equal(details?.error.code, 'step_up_unmet');
    assert.equal(details?.status, 403);
    assert.equal(details?.stepUp, true);
    assert.deepEqual(details?.required, ['amr includes mfa (multi-factor authentication)']);
    assert.equal(details?.received?.[1], 'amr: pwd');
    assert.equal(details?.retryUrl, `${APP}/auth/login?returnTo=%2Fpage&policy=mfa`);
    assert.equal(details?.homeUrl, `${APP}/`);
    assert.equal(details?.session?.sub, 'alice', 'the session from before, unchanged');
    assert.deepEqual(details?.session?.amr, ['pwd']);
    assert.equal(details?.request.method, 'GET');
  });

  test('a provider error reaches the page with its error and description; a Response from the app is kept, plus the cookies', async () => {
    answer = (details) =>
      new Response(`refused: ${details.providerError}`, { status: 403, headers: { 'x-app-page': 'yes' } });
    const started = await startLogin('mfa');
    const response = await callback(
      started,
      '',
      `error=access_denied&error_description=${encodeURIComponent('Denied on the phone')}&state=${started.state}`,
    );
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-app-page'), 'yes');
    assert.equal(await response.text(), 'refused: access_denied');
    assert.ok(clearsTransaction(response, started.state));
    const details = seen.at(-1);
    assert.equal(details?.error.code, 'authorization_error');
    assert.equal(details?.providerError, 'access_denied');
    assert.equal(details?.providerErrorDescription, 'Denied on the phone');
    assert.equal(details?.stepUp, true);
    assert.equal(details?.session, undefined, 'not signed in');
  });

  test('a refused ID token and a stale callback reach the page with their own codes and statuses', async () => {
    answer = (details) => `<p>${details.error.code}</p>`;
    const started = await startLogin();
    const forged = await provider.sign(claims(started.nonce, ['pwd']), { rogue: true });
    const refused = await callback(started, forged);
    assert.equal(refused.status, 401);
    assert.equal(await refused.text(), '<p>signature_invalid</p>');
    assert.equal(seen.at(-1)?.stepUp, false);
    assert.equal(seen.at(-1)?.retryUrl, undefined);

    const stale = await callback({ state: 'unknown-state', cookie: '' }, forged);
    assert.equal(stale.status, 400);
    assert.equal(await stale.text(), '<p>transaction_missing</p>');
    assert.equal(seen.at(-1)?.stepUp, false);
  });

  test('an errorPage answering with a redirect is refused: the loop guard answers with a page', async () => {
    answer = () => Response.redirect(`${APP}/auth/login`, 302);
    const started = await startLogin('mfa');
    await assert.rejects(
      callback(started, await provider.sign(claims(started.nonce, ['pwd']))),
      (error: unknown) => error instanceof TypeError && /must not redirect/.test(error.message),
    );
  });

  test('errorPage must be a function, checked at start-up', async () => {
    await assert.rejects(
      createStepupRp({
        issuer: provider.issuer,
        clientId: CLIENT_ID,
        baseUrl: APP,
        sessionSecret: 'a session secret of at least thirty-two bytes',
        allowInsecureRequests: true,
        errorPage: '<h1>oops</h1>' as unknown as ErrorPage,
      }),
      TypeError,
    );
  });
});
