import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import type { StepupRpError } from '../errors.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { createMemoryUsedStateStore } from '../transaction/used-state-store.ts';
import type { RouteGuard } from './route-guard.ts';

// The transaction guard's own rules, with a provider that signs whatever the test says and a clock
// the test moves: how long an approval stays usable, and that it is used once across app nodes.

const APP = 'http://127.0.0.1:4000';
const TYPE = 'payout_account_change';
const DETAILS = { iban: 'DE89370400440532013000', holder: 'Alice Example' };

describe('requireTransaction: the approval in the session', () => {
  let provider: ForgingProvider;
  let now: number;
  const errors: StepupRpError[] = [];
  const usedStateStore = createMemoryUsedStateStore({ clock: () => now });

  const node = (): Promise<StepupRp> =>
    createStepupRp({
      issuer: provider.issuer,
      clientId: 'salary',
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'one session secret shared by every node of the app',
      allowInsecureRequests: true,
      clock: () => now,
      usedStateStore,
      onError: (error) => errors.push(error),
    });

  before(async () => {
    provider = await startForgingProvider();
  });
  after(() => provider.close());
  beforeEach(() => {
    now = Math.floor(Date.now() / 1000);
    errors.length = 0;
  });

  /** Runs the guard once (a step-up), answers it with an approval of `approved`; the session cookie. */
  async function approve(rp: StepupRp, approved: unknown): Promise<string> {
    const first = await rp.requireTransaction(TYPE, DETAILS)(new Request(`${APP}/confirm`));
    assert.equal(first.allowed, false);
    if (first.allowed) throw new Error('unreachable');
    const location = new URL(first.response.headers.get('location') ?? '');
    const [transactionCookie = ''] = (first.response.headers.get('set-cookie') ?? '').split(';');
    const idToken = await provider.sign({
      iss: provider.issuer,
      aud: 'salary',
      sub: 'alice',
      iat: now,
      exp: now + 300,
      nonce: location.searchParams.get('nonce'),
      auth_time: now,
      acr: ACR_MULTI_FACTOR,
      amr: ['pwd', 'swk', 'mfa'],
      authorization_details: approved,
    });
    provider.tokenResponse = () => ({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
    const callback = (await rp.handle(
      new Request(`${APP}/auth/callback?code=c&state=${location.searchParams.get('state')}`, {
        headers: { cookie: transactionCookie },
      }),
    )) as Response;
    assert.equal(callback.status, 303, errors.at(-1)?.detail);
    return callback.headers
      .getSetCookie()
      .filter((line) => /^stepup(\.\d+)?=[^;]/.test(line))
      .map((line) => line.split(';')[0])
      .join('; ');
  }

  const confirm = (rp: StepupRp, session: string, details: Record<string, unknown> = DETAILS) =>
    rp.requireTransaction(TYPE, details)(new Request(`${APP}/confirm`, { headers: { cookie: session } }));

  test('positive control: an approval with the members in another order is used once', async () => {
    const rp = await node();
    const session = await approve(rp, [{ type: TYPE, holder: DETAILS.holder, iban: DETAILS.iban }]);
    assert.equal((await confirm(rp, session)).allowed, true);
    assert.equal((await confirm(rp, session)).allowed, false);
    assert.equal(errors.at(-1)?.code, 'approval_replayed');
  });

  test('the approval is usable for approvalMaxAge (default 300 s) plus the skew, and not after', async () => {
    const rp = await node();
    const session = await approve(rp, [{ type: TYPE, ...DETAILS }]);
    now += 300 + 30 + 1;
    const late = await confirm(rp, session);
    assert.equal(late.allowed, false);
    assert.equal(!late.allowed && late.response.status, 302, 'a new approval is asked for');
    now -= 1;
    assert.equal((await confirm(rp, session)).allowed, true, 'at the limit it still counts');
  });

  test('an approval is used once across nodes sharing the used-state store', async () => {
    const [a, b] = [await node(), await node()];
    const session = await approve(a, [{ type: TYPE, ...DETAILS }]);
    assert.equal((await confirm(b, session)).allowed, true);
    assert.equal((await confirm(a, session)).allowed, false);
  });

  test('the approval does not open other details, nor the same details under another type', async () => {
    const rp = await node();
    const session = await approve(rp, [{ type: TYPE, ...DETAILS }]);
    assert.equal((await confirm(rp, session, { ...DETAILS, iban: 'GB82WEST12345698765432' })).allowed, false);
    const otherType = await rp.requireTransaction(
      'payment_initiation',
      DETAILS,
    )(new Request(`${APP}/confirm`, { headers: { cookie: session } }));
    assert.equal(otherType.allowed, false);
    assert.equal((await confirm(rp, session)).allowed, true, 'still unused by the refusals above');
  });

  test('a POST without an approval is sent to the provider too (the details travel in the transaction)', async () => {
    const rp = await node();
    const outcome = await rp.requireTransaction(
      TYPE,
      DETAILS,
    )(new Request(`${APP}/confirm`, { method: 'POST', headers: { referer: `${APP}/payout-account` } }));
    assert.equal(outcome.allowed, false);
    if (outcome.allowed) throw new Error('unreachable');
    assert.equal(outcome.response.status, 302);
    const location = new URL(outcome.response.headers.get('location') ?? '');
    assert.equal(
      location.searchParams.get('authorization_details'),
      '[{"holder":"Alice Example","iban":"DE89370400440532013000","type":"payout_account_change"}]',
    );
  });

  test('a resource of the transaction goes with its authorization request only, over the SDK-wide one', async () => {
    const rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: 'salary',
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'one session secret shared by every node of the app',
      allowInsecureRequests: true,
      clock: () => now,
      usedStateStore,
      resource: 'https://api.example/salary',
    });
    const resourceOf = async (outcome: Awaited<ReturnType<RouteGuard>>): Promise<string[]> => {
      assert.equal(outcome.allowed, false);
      if (outcome.allowed) throw new Error('unreachable');
      assert.equal(outcome.response.status, 302);
      return new URL(outcome.response.headers.get('location') ?? '').searchParams.getAll('resource');
    };
    const request = () => new Request(`${APP}/confirm`);
    assert.deepEqual(
      await resourceOf(
        await rp.requireTransaction(TYPE, DETAILS, { resource: `${APP}/payout-account` })(request()),
      ),
      [`${APP}/payout-account`],
    );
    assert.deepEqual(await resourceOf(await rp.requireTransaction(TYPE, DETAILS)(request())), [
      'https://api.example/salary',
    ]);
    assert.deepEqual(await resourceOf(await rp.requireAuth()(request())), ['https://api.example/salary']);
  });

  test('misuse is a TypeError when the guard is made', async () => {
    const rp = await node();
    assert.throws(() => rp.requireTransaction('', DETAILS), TypeError);
    assert.throws(() => rp.requireTransaction(TYPE, { type: 'x' }), TypeError);
    assert.throws(() => rp.requireTransaction(TYPE, DETAILS, { approvalMaxAge: 0 }), TypeError);
    assert.throws(() => rp.requireTransaction(TYPE, DETAILS, { policy: 'unknown' }), TypeError);
    assert.throws(() => rp.requireTransaction(TYPE, DETAILS, { resource: '/payout-account' }), TypeError);
    assert.throws(
      () => rp.requireTransaction(TYPE, DETAILS, { resource: 42 as unknown as string }),
      TypeError,
    );
  });
});
