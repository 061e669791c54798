import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, type TestContext, test } from 'node:test';
import pg from 'pg';
import { startOutageProxy } from '../../testing/outage-proxy.ts';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../../testing/postgres-test-database.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Store } from '../store.ts';
import { describeStoreContract } from '../store-contract.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store.ts';

const NOW = 1_700_000_000;

const created = await createPostgresTestDatabase();
const skip = created.skip ?? false;
const databases: PostgresTestDatabase[] = [];
after(async () => {
  for (const database of databases) await database.drop();
});

/** A fresh database of this file's own; the first one is created above, to learn whether to skip. */
async function freshDatabase(): Promise<PostgresTestDatabase> {
  const next = databases.length === 0 && created.database ? created : await createPostgresTestDatabase();
  if (next.database === undefined) throw new Error(next.skip);
  databases.push(next.database);
  return next.database;
}

function storeOptions(connectionString: string, overrides: Partial<PostgresStoreOptions> = {}) {
  return { connectionString, poolMax: 4, connectionTimeoutMs: 3000, statementTimeoutMs: 5000, ...overrides };
}

async function openOn(t: TestContext, url: string): Promise<Store> {
  const store = await openPostgresStore(storeOptions(url));
  t.after(() => store.close());
  return store;
}

describe('postgresql store', { skip }, () => {
  let contractDatabase: PostgresTestDatabase;
  before(async () => {
    contractDatabase = await freshDatabase();
  });

  // Each contract test starts from a migrated, empty database.
  describeStoreContract('postgresql', async () => {
    await contractDatabase.truncate();
    return openPostgresStore(storeOptions(contractDatabase.url));
  });

  describe('postgresql: single use across two nodes', () => {
    let url: string;
    before(async () => {
      url = (await freshDatabase()).url;
    });

    /** Two stores over one database, as two provider nodes have. */
    async function twoNodes(t: TestContext) {
      const nodeA = await openOn(t, url);
      const nodeB = await openOn(t, url);
      const user = await nodeA.users.create({
        username: `user-${crypto.randomUUID()}`,
        passwordHash: 'h',
        now: NOW,
      });
      return { nodeA, nodeB, user };
    }

    /** Runs `attempt` five times on each node at once; resolves how many attempts won. */
    async function raceOnBothNodes(
      nodes: Store[],
      attempt: (store: Store) => Promise<boolean>,
    ): Promise<number> {
      const attempts = nodes.flatMap((store) => Array.from({ length: 5 }, () => attempt(store)));
      return (await Promise.all(attempts)).filter(Boolean).length;
    }

    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      test(`${model}: one redemption wins; the others get invalid_grant and revoke the grant`, async (t) => {
        const { nodeA, nodeB } = await twoNodes(t);
        const grantId = `grant-${crypto.randomUUID()}`;
        const id = `${model}-${crypto.randomUUID()}`;
        await new nodeA.oidcAdapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant' }, 3600);
        await new nodeA.oidcAdapter(model).upsert(id, { jti: id, kind: model, grantId }, 600);
        const results = await Promise.allSettled(
          [nodeA, nodeB].flatMap((store) =>
            Array.from({ length: 5 }, () => new store.oidcAdapter(model).consume(id)),
          ),
        );
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
        for (const result of results) {
          if (result.status === 'rejected')
            assert.equal((result.reason as { error?: string }).error, 'invalid_grant');
        }
        assert.equal(await new nodeB.oidcAdapter(model).find(id), undefined);
        assert.equal(await new nodeB.oidcAdapter('Grant').find(grantId), undefined);
      });
    }

    test('recovery code: exactly one node accepts it', async (t) => {
      const { nodeA, nodeB, user } = await twoNodes(t);
      await nodeA.recoveryCodes.replaceSet(user.id, ['hash-1', 'hash-2'], NOW);
      const wins = await raceOnBothNodes([nodeA, nodeB], (store) =>
        store.recoveryCodes.consume(user.id, 'hash-1', NOW),
      );
      assert.equal(wins, 1);
      assert.equal((await nodeB.recoveryCodes.summary(user.id))?.remaining, 1);
    });

    test('recovery code sets replaced from both nodes at once leave exactly one set', async (t) => {
      const { nodeA, nodeB, user } = await twoNodes(t);
      await Promise.all([
        nodeA.recoveryCodes.replaceSet(user.id, ['a-1', 'a-2'], NOW),
        nodeB.recoveryCodes.replaceSet(user.id, ['b-1', 'b-2'], NOW),
      ]);
      assert.equal((await nodeA.recoveryCodes.summary(user.id))?.total, 2);
    });

    test('TOTP step: exactly one node accepts it', async (t) => {
      const { nodeA, nodeB, user } = await twoNodes(t);
      const factor = await nodeA.factors.add({
        userId: user.id,
        type: 'totp',
        name: 'P',
        secret: 's',
        now: NOW,
      });
      const wins = await raceOnBothNodes([nodeA, nodeB], (store) =>
        store.factors.consumeTotpStep(factor.id, 56_666_667, NOW),
      );
      assert.equal(wins, 1);
    });

    test('push request: exactly one answer counts, and its approval is a proof once', async (t) => {
      const { nodeA, nodeB, user } = await twoNodes(t);
      const challenge = await nodeA.pushChallenges.open({
        userId: user.id,
        interactionUid: `interaction-${crypto.randomUUID()}`,
        clientId: 'salary',
        clientName: 'Salary',
        ip: '203.0.113.7',
        number: 42,
        choices: [17, 42, 88],
        nonce: 'nonce-1',
        now: NOW,
        expiresAt: NOW + 60,
      });
      const answer = {
        id: challenge.id,
        userId: user.id,
        nonce: 'nonce-1',
        deviceId: 'device-1',
        now: NOW + 1,
      };
      const answered = await raceOnBothNodes([nodeA, nodeB], (store) =>
        store.pushChallenges.resolve({ ...answer, status: 'approved' }),
      );
      assert.equal(answered, 1);
      const proofs = await raceOnBothNodes([nodeA, nodeB], (store) =>
        store.pushChallenges.consumeApproval(challenge.id, NOW + 2),
      );
      assert.equal(proofs, 1);
    });

    test('email code: exactly one node accepts it', async (t) => {
      const { nodeA, nodeB, user } = await twoNodes(t);
      const challengeId = `login-${crypto.randomUUID()}`;
      await nodeA.emailCodes.save({
        challengeId,
        userId: user.id,
        codeHash: 'hash-1',
        now: NOW,
        expiresAt: NOW + 600,
      });
      const wins = await raceOnBothNodes([nodeA, nodeB], (store) =>
        store.emailCodes.consume({ challengeId, userId: user.id, codeHash: 'hash-1', now: NOW + 1 }),
      );
      assert.equal(wins, 1);
    });

    test('attempt counters lose no count across nodes', async (t) => {
      const { nodeA, nodeB } = await twoNodes(t);
      const key = `login:${crypto.randomUUID()}`;
      const counts = await Promise.all(
        [nodeA, nodeB].flatMap((store) =>
          Array.from({ length: 5 }, () => store.attempts.increment(key, 60, NOW)),
        ),
      );
      assert.deepEqual(
        counts.map((window) => window.count).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
    });
  });

  describe('postgresql: outages', () => {
    let url: string;
    before(async () => {
      url = (await freshDatabase()).url;
    });

    test('a server that cannot be reached is StoreUnavailableError at opening', async () => {
      const port = await closedPort();
      await assert.rejects(
        openPostgresStore(storeOptions(`postgres://postgres@127.0.0.1:${port}/stepup`)),
        (error: unknown) => {
          assert.ok(error instanceof StoreUnavailableError);
          assert.equal(error.code, 'unavailable');
          return true;
        },
      );
    });

    test('calls during an outage reject as unavailable; the pool recovers by itself afterwards', async (t) => {
      const proxy = await startOutageProxy(url);
      t.after(() => proxy.stop());
      const store = await openPostgresStore(storeOptions(proxy.url, { connectionTimeoutMs: 1000 }));
      t.after(() => store.close());
      const alice = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });

      await proxy.stop();
      await assert.rejects(store.users.findById(alice.id), {
        name: 'StoreUnavailableError',
        code: 'unavailable',
      });
      await assert.rejects(store.attempts.increment('k', 60, NOW), { code: 'unavailable' });
      await assert.rejects(store.recoveryCodes.replaceSet(alice.id, ['h'], NOW), { code: 'unavailable' });

      await proxy.start();
      assert.deepEqual(await store.users.findById(alice.id), alice);
      assert.deepEqual(await store.attempts.increment('k', 60, NOW), { count: 1, resetAt: NOW + 60 });
    });

    test('connections the server ends while idle are dropped and replaced, with a warning each', async (t) => {
      const warnings: string[] = [];
      let allWarned: () => void = () => {};
      let expected = Number.POSITIVE_INFINITY;
      const warnedAll = new Promise<void>((resolve) => {
        allWarned = resolve;
      });
      const store = await openPostgresStore({
        ...storeOptions(url),
        logger: {
          warn: (_details, message) => {
            warnings.push(message);
            if (warnings.length >= expected) allWarned();
          },
        },
      });
      t.after(() => store.close());
      await Promise.all([store.keys.set('a', '1'), store.keys.set('b', '2')]);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      t.after(() => admin.end());
      // As a restart does: the server ends every connection of the pool while it sits idle.
      const { rows } = await admin.query<{ terminated: string }>(
        `SELECT COUNT(pg_terminate_backend(pid)) AS terminated FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expected = Number(rows[0]?.terminated);
      assert.ok(expected >= 1);
      if (warnings.length >= expected) allWarned();
      await warnedAll;
      assert.equal(await store.keys.get('a'), '1');
      assert.deepEqual(
        warnings,
        Array(expected).fill('PostgreSQL dropped an idle connection; new ones open when needed'),
      );
    });
  });
});

/** A port nothing listens on: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
