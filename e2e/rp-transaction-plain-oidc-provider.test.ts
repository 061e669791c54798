import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { ACR_ONE_FACTOR } from '@stepup/core';
import { createStepupRp, type StepupRpError } from '@stepup/rp';
import {
  type BearerGuard,
  checkTransactionToken,
  createBearerGuard,
  createMemoryUsedStateStore,
} from '@stepup/rp/bearer';
import { requireTransactionToken as expressTransactionToken } from '@stepup/rp/express';
import {
  createHonoAuth,
  requireTransactionToken as honoTransactionToken,
  type StepupVariables,
} from '@stepup/rp/hono';
import express from 'express';
import { Hono } from 'hono';
import { CookieJarBrowser } from './support/cookie-jar-browser.ts';
import {
  PAYOUT_ACCOUNT_CHANGE,
  type RichAuthorizationProvider,
  startRichAuthorizationProvider,
  TRANSACTION_API,
} from './support/rich-authorization-provider.ts';

// requireTransaction against a provider nobody here wrote: a bare oidc-provider with its own RFC 9396
// support. The app route /confirm?iban=…&holder=… runs the action only behind the guard, and counts
// how often it ran: the count is the outcome that matters (saved, or not).

const IBAN = 'DE89370400440532013000';
const OTHER_IBAN = 'GB82WEST12345698765432';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('requireTransaction against a bare oidc-provider with rich authorization requests', () => {
  let op: RichAuthorizationProvider;
  let appServer: ReturnType<typeof serve>;
  let app: string;
  const errors: StepupRpError[] = [];
  const performed: string[] = [];
  let guard: BearerGuard;
  let expressServer: Server;

  before(async () => {
    const port = await freePort();
    app = `http://127.0.0.1:${port}`;
    op = await startRichAuthorizationProvider(app);
    const rp = await createStepupRp({
      issuer: op.issuer,
      clientId: 'rar-app',
      clientSecret: 'rar-app-secret-0123456789abcdef0123456789',
      baseUrl: app,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      allowInsecureRequests: true,
      onError: (error) => {
        errors.push(error);
        if (process.env.RAR_DEBUG) console.log(error.code, error.detail);
      },
    });
    const web = new Hono<{ Variables: StepupVariables }>();
    const auth = createHonoAuth(rp);
    web.use(auth.routes());
    web.get(
      '/confirm',
      auth.requireTransaction(PAYOUT_ACCOUNT_CHANGE, (request) => {
        const query = new URL(request.url).searchParams;
        return { iban: query.get('iban') ?? '', holder: query.get('holder') ?? '' };
      }),
      (c) => {
        performed.push(`${c.get('stepupSession').sub} ${c.req.query('iban')}`);
        return c.text('saved');
      },
    );
    web.get('/access-token', auth.requireAuth(), (c) => c.text(c.get('stepupSession').accessToken ?? ''));
    guard = await createBearerGuard({
      issuer: op.issuer,
      audience: TRANSACTION_API,
      allowInsecureRequests: true,
    });
    const apiApprovals = createMemoryUsedStateStore();
    const payoutRequirement = (iban: string) => ({
      type: PAYOUT_ACCOUNT_CHANGE,
      details: { iban, holder: 'Alice Example' },
      usedApprovals: apiApprovals,
    });
    web.post(
      '/api/payout',
      honoTransactionToken(guard, (request) =>
        payoutRequirement(new URL(request.url).searchParams.get('iban') ?? ''),
      ),
      (c) => c.text(`paid to ${c.req.query('iban')} for ${c.get('stepupToken').sub}`),
    );
    const expressApi = express();
    expressApi.post(
      '/api/payout',
      expressTransactionToken(guard, (req) => payoutRequirement(String(req.query.iban))),
      (req, res) => {
        res.send(
          `paid to ${String(req.query.iban)} for ${(res.locals.stepup as { token: { sub: string } }).token.sub}`,
        );
      },
    );
    expressServer = expressApi.listen(0, '127.0.0.1');
    await new Promise((resolve) => expressServer.once('listening', resolve));
    appServer = serve({ fetch: web.fetch, port, hostname: '127.0.0.1' });
  });

  after(async () => {
    await new Promise((resolve) => appServer.close(resolve));
    await new Promise((resolve) => expressServer.close(resolve));
    await op.close();
  });

  beforeEach(() => {
    op.behaviour.acr = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
    delete op.behaviour.authTime;
    performed.length = 0;
    errors.length = 0;
  });

  const confirmUrl = (iban: string) => `${app}/confirm?iban=${iban}&holder=Alice+Example`;

  /** The redirect to the provider, and what the browser does with it (changed or not). */
  async function startStepUp(browser: CookieJarBrowser, iban: string): Promise<URL> {
    const started = await browser.request(confirmUrl(iban));
    assert.equal(started.status, 302);
    return new URL(started.headers.get('location') ?? '');
  }

  test('a matching approval lets the action run once: the request carried the details and the MFA acr', async () => {
    const browser = new CookieJarBrowser();
    const authorize = await startStepUp(browser, IBAN);
    assert.equal(authorize.origin, op.issuer);
    assert.deepEqual(JSON.parse(authorize.searchParams.get('authorization_details') ?? ''), [
      { holder: 'Alice Example', iban: IBAN, type: PAYOUT_ACCOUNT_CHANGE },
    ]);
    assert.equal(
      authorize.searchParams.get('acr_values'),
      'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
    );
    assert.equal(authorize.searchParams.get('prompt'), 'login');
    const page = await browser.navigate(authorize.href);
    assert.equal(page.status, 200);
    assert.equal(page.body, 'saved');
    assert.equal(page.url, confirmUrl(IBAN));
    assert.deepEqual(performed, [`alice ${IBAN}`]);
    assert.deepEqual(errors, []);
  });

  test('details changed in flight (tampered authorization request) → 403, nothing done, no loop', async () => {
    const browser = new CookieJarBrowser();
    const authorize = await startStepUp(browser, IBAN);
    authorize.searchParams.set(
      'authorization_details',
      JSON.stringify([{ type: PAYOUT_ACCOUNT_CHANGE, iban: OTHER_IBAN, holder: 'Alice Example' }]),
    );
    const start = browser.visited.length;
    const page = await browser.navigate(authorize.href);
    assert.equal(page.status, 403);
    assert.equal(new URL(page.url).pathname, '/auth/callback');
    assert.equal(errors.at(-1)?.code, 'authorization_details_mismatch');
    assert.deepEqual(op.granted.at(-1), [
      { type: PAYOUT_ACCOUNT_CHANGE, iban: OTHER_IBAN, holder: 'Alice Example' },
    ]);
    const trail = browser.visited.slice(start).map((url) => new URL(url));
    assert.equal(trail.filter((url) => url.origin === op.issuer && url.pathname === '/auth').length, 1);
    assert.deepEqual(performed, []);
  });

  test('details dropped in flight (missing from the tokens) → 403, nothing done', async () => {
    const browser = new CookieJarBrowser();
    const authorize = await startStepUp(browser, IBAN);
    authorize.searchParams.delete('authorization_details');
    const page = await browser.navigate(authorize.href);
    assert.equal(page.status, 403);
    assert.equal(errors.at(-1)?.code, 'authorization_details_mismatch');
    assert.match(errors.at(-1)?.detail ?? '', /neither the ID token nor the token response/);
    assert.deepEqual(performed, []);
  });

  test('an approval older than the step-up (a reused authentication) → 403 approval_stale, nothing done', async () => {
    op.behaviour.authTime = () => Math.floor(Date.now() / 1000) - 3600;
    const browser = new CookieJarBrowser();
    const page = await browser.navigate(confirmUrl(IBAN));
    assert.equal(page.status, 403);
    assert.equal(errors.at(-1)?.code, 'approval_stale');
    assert.deepEqual(performed, []);
  });

  test('an approval without the MFA acr → 403 step_up_unmet, nothing done', async () => {
    op.behaviour.acr = ACR_ONE_FACTOR;
    const browser = new CookieJarBrowser();
    const page = await browser.navigate(confirmUrl(IBAN));
    assert.equal(page.status, 403);
    assert.equal(errors.at(-1)?.code, 'step_up_unmet');
    assert.deepEqual(performed, []);
  });

  test('replays are refused: the same callback (transaction_replayed), the same approval (approval_replayed)', async () => {
    const browser = new CookieJarBrowser();
    const started = await browser.request(confirmUrl(IBAN));
    // A copy of the transaction cookie, as someone replaying the callback would hold it.
    const [transactionCookie = ''] = (started.headers.get('set-cookie') ?? '').split(';');
    let hop = await browser.request(started.headers.get('location') ?? '');
    while (!(hop.headers.get('location') ?? '').startsWith(`${app}/auth/callback`)) {
      hop = await browser.request(new URL(hop.headers.get('location') ?? '', hop.url).href);
    }
    const callbackUrl = hop.headers.get('location') ?? '';
    assert.equal((await browser.request(callbackUrl)).status, 303);
    assert.equal((await browser.request(confirmUrl(IBAN))).body, 'saved');
    assert.deepEqual(performed, [`alice ${IBAN}`]);

    const replayedCallback = await fetch(callbackUrl, {
      headers: { cookie: transactionCookie },
      redirect: 'manual',
    });
    assert.equal(replayedCallback.status, 400);
    assert.equal(errors.at(-1)?.code, 'transaction_replayed');
    assert.deepEqual(
      replayedCallback.headers.getSetCookie().filter((line) => /^stepup(\.\d+)?=[^;]/.test(line)),
      [],
    );

    // The same session cookie, with its approval, sent again: the approval is spent.
    const again = await browser.request(confirmUrl(IBAN));
    assert.equal(again.status, 302, 'a new approval is asked for');
    assert.equal(new URL(again.headers.get('location') ?? '').origin, op.issuer);
    assert.equal(errors.at(-1)?.code, 'approval_replayed');
    assert.deepEqual(performed, [`alice ${IBAN}`], 'done once');
  });

  test('an approval for one IBAN does not open another: a new step-up for the other one', async () => {
    const browser = new CookieJarBrowser();
    assert.equal((await browser.navigate(confirmUrl(IBAN))).body, 'saved');
    const other = await browser.request(confirmUrl(OTHER_IBAN));
    assert.equal(other.status, 302);
    const authorize = new URL(other.headers.get('location') ?? '');
    assert.equal(
      JSON.parse(authorize.searchParams.get('authorization_details') ?? '[]')[0]?.iban,
      OTHER_IBAN,
    );
    assert.deepEqual(performed, [`alice ${IBAN}`]);
  });

  test('one approval, 100 concurrent uses: exactly one runs the action', async () => {
    const browser = new CookieJarBrowser();
    assert.equal((await browser.navigate(confirmUrl(OTHER_IBAN))).body, 'saved');
    performed.length = 0;
    // The session holds a spent approval now; get a fresh one for IBAN and stop before using it.
    const authorize = await startStepUp(browser, IBAN);
    let hop = await browser.request(authorize.href);
    while (!(hop.headers.get('location') ?? '').startsWith(`${app}/auth/callback`)) {
      hop = await browser.request(new URL(hop.headers.get('location') ?? '', hop.url).href);
    }
    assert.equal((await browser.request(hop.headers.get('location') ?? '')).status, 303);
    const results = await Promise.all(Array.from({ length: 100 }, () => browser.request(confirmUrl(IBAN))));
    assert.equal(results.filter((page) => page.status === 200).length, 1);
    assert.equal(results.filter((page) => page.status === 302).length, 99);
    assert.deepEqual(performed, [`alice ${IBAN}`]);
  });

  test('the bearer guard: a token approving these details passes once; other details, a replay, none → RFC 9470 challenge', async () => {
    const browser = new CookieJarBrowser();
    assert.equal((await browser.navigate(confirmUrl(IBAN))).body, 'saved');
    const accessToken = (await browser.request(`${app}/access-token`)).body;
    const usedApprovals = createMemoryUsedStateStore();
    const call = (token: string, iban: string) =>
      checkTransactionToken(
        guard,
        new Request('https://api.example/payout', { headers: { authorization: `Bearer ${token}` } }),
        { type: PAYOUT_ACCOUNT_CHANGE, details: { iban, holder: 'Alice Example' }, usedApprovals },
      );
    const challengeOf = async (result: Awaited<ReturnType<typeof call>>) => {
      assert.equal(result.ok, false);
      if (result.ok) throw new Error('unreachable');
      assert.equal(result.response.status, 401);
      assert.equal(result.error.code, 'insufficient_user_authentication');
      const header = result.response.headers.get('www-authenticate') ?? '';
      assert.match(header, /^Bearer error="insufficient_user_authentication", /);
      assert.match(
        header,
        /acr_values="http:\/\/schemas\.openid\.net\/pape\/policies\/2007\/06\/multi-factor"/,
      );
      const encoded = /authorization_details="([\w-]+)"/.exec(header)?.[1] ?? '';
      const body = (await result.response.json()) as { authorization_details: unknown };
      assert.deepEqual(
        JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')),
        body.authorization_details,
      );
      return body.authorization_details;
    };

    assert.deepEqual(await challengeOf(await call(accessToken, OTHER_IBAN)), [
      { holder: 'Alice Example', iban: OTHER_IBAN, type: PAYOUT_ACCOUNT_CHANGE },
    ]);
    const passed = await call(accessToken, IBAN);
    assert.equal(passed.ok, true);
    assert.equal(passed.ok && passed.token.sub, 'alice');
    assert.deepEqual(await challengeOf(await call(accessToken, IBAN)), [
      { holder: 'Alice Example', iban: IBAN, type: PAYOUT_ACCOUNT_CHANGE },
    ]);
    const missing = await checkTransactionToken(guard, new Request('https://api.example/payout'), {
      type: PAYOUT_ACCOUNT_CHANGE,
      details: { iban: IBAN, holder: 'Alice Example' },
      usedApprovals,
    });
    assert.equal(missing.ok === false && missing.error.code, 'token_missing');
  });

  test('the Hono and Express bearer middleware: the approving token pays once, on either; the replay gets the challenge', async () => {
    const browser = new CookieJarBrowser();
    assert.equal((await browser.navigate(confirmUrl(IBAN))).body, 'saved');
    const accessToken = (await browser.request(`${app}/access-token`)).body;
    const expressApp = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
    const pay = (origin: string, iban: string) =>
      fetch(`${origin}/api/payout?iban=${iban}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
      });

    const other = await pay(expressApp, OTHER_IBAN);
    assert.equal(other.status, 401);
    assert.match(
      other.headers.get('www-authenticate') ?? '',
      /^Bearer error="insufficient_user_authentication"/,
    );
    const paid = await pay(expressApp, IBAN);
    assert.equal(paid.status, 200);
    assert.equal(await paid.text(), `paid to ${IBAN} for alice`);
    // One store behind both: the token is spent for the Hono app too.
    const replayed = await pay(app, IBAN);
    assert.equal(replayed.status, 401);
    assert.deepEqual(((await replayed.json()) as { authorization_details: unknown }).authorization_details, [
      { holder: 'Alice Example', iban: IBAN, type: PAYOUT_ACCOUNT_CHANGE },
    ]);
  });

  test('the Hono bearer middleware lets a fresh approving token through', async () => {
    const browser = new CookieJarBrowser();
    assert.equal((await browser.navigate(confirmUrl(OTHER_IBAN))).body, 'saved');
    const accessToken = (await browser.request(`${app}/access-token`)).body;
    const paid = await fetch(`${app}/api/payout?iban=${OTHER_IBAN}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(paid.status, 200);
    assert.equal(await paid.text(), `paid to ${OTHER_IBAN} for alice`);
  });
});
