import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBearerGuard, createRedisDpopReplayStore } from '@stepup/rp/bearer';
import { Redis } from 'ioredis';
import { connectRedisForTests } from '../packages/idp/src/testing/redis-test-connection.ts';
import { createTestDpopKey } from '../packages/rp/src/testing/dpop-proof.ts';
import { type ForgingProvider, startForgingProvider } from '../packages/rp/src/testing/forging-provider.ts';

// Two API nodes share one Redis DPoP replay store: a proof copied from one node to the other is
// refused there, and of 100 concurrent presentations of one proof, spread over both nodes, exactly
// one is accepted (SET NX is atomic in Redis).

const connection = await connectRedisForTests();
const testRedis = connection.skip === undefined ? connection.redis : undefined;
const API = 'https://payroll.example/api';
const URL_ = 'https://payroll.example/api/salaries';

describe('DPoP replay store in Redis, shared by two guards', { skip: connection.skip }, () => {
  let provider: ForgingProvider;
  let redis: Redis;

  before(async () => {
    provider = await startForgingProvider();
    redis = new Redis(testRedis?.url ?? '');
  });
  after(async () => {
    redis.disconnect();
    await testRedis?.cleanup();
    await provider.close();
  });

  test('one proof, 100 concurrent presentations over two nodes: exactly one accepted', async () => {
    const replayStore = createRedisDpopReplayStore(redis, { prefix: testRedis?.newKeyPrefix() ?? '' });
    const node = () =>
      createBearerGuard({
        issuer: provider.issuer,
        audience: API,
        allowInsecureRequests: true,
        dpop: { replayStore },
      });
    const nodes = [await node(), await node()];
    const clock = () => Math.floor(Date.now() / 1000);
    const key = await createTestDpopKey(clock);
    const now = clock();
    const token = await provider.sign(
      {
        iss: provider.issuer,
        aud: API,
        sub: 'alice',
        client_id: 'salary',
        jti: 'at-1',
        iat: now,
        exp: now + 300,
        cnf: { jkt: key.jkt },
      },
      { typ: 'at+jwt' },
    );
    const proof = await key.proof('GET', URL_, token);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        (nodes[index % 2] ?? nodes[0])?.check(
          new Request(URL_, { headers: { authorization: `DPoP ${token}`, dpop: proof } }),
        ),
      ),
    );
    assert.equal(results.filter((result) => result?.ok).length, 1);
    assert.deepEqual(
      new Set(results.flatMap((result) => (result === undefined || result.ok ? [] : [result.error.code]))),
      new Set(['dpop_proof_replayed']),
    );
    // A fresh proof from the same key passes on either node (the control).
    const fresh = await nodes[1]?.check(
      new Request(URL_, {
        headers: { authorization: `DPoP ${token}`, dpop: await key.proof('GET', URL_, token) },
      }),
    );
    assert.equal(fresh?.ok, true);
  });

  test('the key expires when the proof would be too old anyway', async () => {
    const prefix = testRedis?.newKeyPrefix() ?? '';
    const store = createRedisDpopReplayStore(redis, { prefix });
    const expiresAt = Math.floor(Date.now() / 1000) + 120;
    assert.equal(await store.consume('jkt.jti', expiresAt), true);
    assert.equal(await store.consume('jkt.jti', expiresAt), false);
    assert.equal(await redis.expiretime(`${prefix}jkt.jti`), expiresAt);
  });
});
