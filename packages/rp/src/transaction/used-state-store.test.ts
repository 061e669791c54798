import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import type { StepupRpError } from '../errors.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { createMemoryUsedStateStore, type UsedStateStore } from './used-state-store.ts';

// A replayed callback across app nodes: two @stepup/rp instances (two nodes of one app, same
// session secret) sharing one used-state store. The forging provider accepts any code, so only the
// store stands between a replayed callback and a second session.

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';

describe('the used-state store across app nodes', () => {
  let provider: ForgingProvider;
  const errors: StepupRpError[] = [];

  const node = (usedStateStore?: UsedStateStore) =>
    createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'one session secret shared by every node of the app',
      allowInsecureRequests: true,
      onError: (error) => errors.push(error),
      ...(usedStateStore === undefined ? {} : { usedStateStore }),
    });

  before(async () => {
    provider = await startForgingProvider();
  });
  after(() => provider.close());

  /** Starts a login on `first`; the callback request, as the browser would send it (to any node). */
  async function loginCallback(first: StepupRp): Promise<() => Request> {
    const started = (await first.handle(new Request(`${APP}/auth/login?returnTo=/page`))) as Response;
    const location = new URL(started.headers.get('location') ?? '');
    const state = location.searchParams.get('state') ?? '';
    const [cookie = ''] = (started.headers.get('set-cookie') ?? '').split(';');
    const now = Math.floor(Date.now() / 1000);
    const idToken = await provider.sign({
      iss: provider.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: now,
      exp: now + 300,
      nonce: location.searchParams.get('nonce'),
      auth_time: now - 5,
      amr: ['pwd'],
    });
    provider.tokenResponse = () => ({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
    return () => new Request(`${APP}/auth/callback?code=c&state=${state}`, { headers: { cookie } });
  }

  test('a callback completed on node A and replayed on node B is refused with transaction_replayed', async () => {
    const shared = createMemoryUsedStateStore();
    const [a, b] = [await node(shared), await node(shared)];
    const callback = await loginCallback(a);
    assert.equal(((await a.handle(callback())) as Response).status, 303);
    const replay = (await b.handle(callback())) as Response;
    assert.equal(replay.status, 400);
    assert.equal(errors.at(-1)?.code, 'transaction_replayed');
    assert.equal(replay.headers.get('location'), null);
    assert.ok(
      !replay.headers.getSetCookie().some((line) => /^stepup(\.\d+)?=[^;]/.test(line)),
      'no session cookie for the replay',
    );
  });

  test('without a shared store node B would accept the replay (control: the store is what refuses it)', async () => {
    const [a, b] = [await node(), await node()];
    const callback = await loginCallback(a);
    assert.equal(((await a.handle(callback())) as Response).status, 303);
    assert.equal(((await b.handle(callback())) as Response).status, 303);
    // Each node still refuses what it saw itself.
    assert.equal(((await a.handle(callback())) as Response).status, 400);
  });

  test('a store that fails makes the callback fail closed: 503, no session', async () => {
    const failing: UsedStateStore = {
      consume: async () => {
        throw new Error('connection refused');
      },
    };
    const a = await node(failing);
    const response = (await a.handle((await loginCallback(a))())) as Response;
    assert.equal(response.status, 503);
    assert.equal(errors.at(-1)?.code, 'state_store_unavailable');
    assert.equal(response.headers.get('location'), null);
  });

  test('the memory store: one winner among concurrent calls, a state usable again only once it expired', async () => {
    let now = 1_000;
    const store = createMemoryUsedStateStore({ clock: () => now, maxEntries: 2 });
    const results = await Promise.all([1, 2, 3].map(() => store.consume('s1', now + 600)));
    assert.deepEqual(results.sort(), [false, false, true]);
    now += 601;
    assert.equal(await store.consume('s1', now + 600), true, 'forgotten after its expiry');
    assert.equal(await store.consume('s2', now + 600), true);
    assert.equal(await store.consume('s3', now + 600), true, 'past maxEntries the oldest makes room');
    assert.equal(await store.consume('s3', now + 600), false);
    assert.throws(() => createMemoryUsedStateStore({ maxEntries: 0 }), TypeError);
  });

  test('usedStateStore must have a consume method, checked at start-up', async () => {
    await assert.rejects(node({} as UsedStateStore), TypeError);
  });
});
