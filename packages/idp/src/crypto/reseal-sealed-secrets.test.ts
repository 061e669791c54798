import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openActionSecrets, sealActionSecrets } from '../actions/action-secrets.ts';
import { generateClientSecret } from '../client-secrets/client-secret-strength.ts';
import {
  openClientSecret,
  protectClientSecret,
  STORED_SECRET_METADATA,
} from '../client-secrets/stored-client-secret.ts';
import { TotpFactor, totpSeedContext } from '../factors/totp/totp-factor.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { resealSealedSecrets } from './reseal-sealed-secrets.ts';
import { SecretKeyring } from './secret-keyring.ts';

const NOW = 1_700_000_000;
const OLD = new SecretKeyring([Buffer.alloc(32, 1)]);
/** After `rotate-secret`: a new current key, the old one still in the ring. */
const ROTATED = new SecretKeyring([Buffer.alloc(32, 2), Buffer.alloc(32, 1)]);
const SEEDS = 100;
/** Two Action versions with secrets and one HS256 client's sealed secret, besides the seeds. */
const OTHER_SEALED_RECORDS = 3;
const HS256_SECRET = generateClientSecret();
const BASIC_SECRET = generateClientSecret();
const CONCURRENT_PASSES = 4;

function seedOf(index: number): string {
  return `SEED${String(index).padStart(4, '0')}ABCDEFGHIJKLMNOPQRSTUV`;
}

interface Fixture {
  users: string[];
  factorIds: string[];
}

/** 100 TOTP seeds and an Action with three versions of secrets (one without), all under OLD. */
async function sealUnderOldKey(store: Store): Promise<Fixture> {
  const totp = new TotpFactor(store.factors, OLD);
  const users: string[] = [];
  const factorIds: string[] = [];
  for (let index = 0; index < SEEDS; index++) {
    const user = await store.users.create({ username: `user${index}`, passwordHash: 'h', now: NOW });
    users.push(user.id);
    factorIds.push((await totp.enroll(user.id, seedOf(index), 'phone', NOW)).id);
  }
  let basedOn: number | null = null;
  const deploys: Record<string, string>[] = [{ API_KEY: 'one' }, {}, { API_KEY: 'three', OTHER: 'x' }];
  for (const secrets of deploys) {
    const deployed = await store.actions.deploy({
      name: 'notify',
      trigger: 'post-login',
      code: 'exports.onExecutePostLogin = async () => {};',
      secretNames: Object.keys(secrets),
      sealedSecrets: sealActionSecrets(OLD, 'notify', secrets),
      basedOn,
      now: NOW,
    });
    basedOn = deployed.version;
  }
  // A client keyed by its secret (HS256 ID tokens) keeps it sealed; one that only presents it, hashed.
  const redirect_uris = ['https://app.example/callback'];
  await store.clients.upsert(
    protectClientSecret(
      {
        client_id: 'hs-app',
        client_secret: HS256_SECRET,
        redirect_uris,
        id_token_signed_response_alg: 'HS256',
      },
      OLD,
    ),
  );
  await store.clients.upsert(
    protectClientSecret({ client_id: 'basic-app', client_secret: BASIC_SECRET, redirect_uris }, OLD),
  );
  return { users, factorIds };
}

async function assertEverySecretUnder(store: Store, ring: SecretKeyring, fixture: Fixture): Promise<void> {
  for (const [index, userId] of fixture.users.entries()) {
    const [factor] = await store.factors.listForUser(userId);
    assert.ok(factor?.secret.startsWith(ring.currentRecordPrefix), `seed ${index} under the current key`);
    assert.ok(factor);
    assert.equal(ring.open(factor.secret, totpSeedContext(userId)), seedOf(index));
  }
  const versions = await store.actions.listVersions('notify');
  assert.deepEqual(
    versions.map((version) => openActionSecrets(ring, 'notify', version.sealedSecrets)),
    [{ API_KEY: 'three', OTHER: 'x' }, {}, { API_KEY: 'one' }],
  );
  assert.deepEqual(
    versions.map((version) => version.sealedSecrets?.startsWith(ring.currentRecordPrefix) ?? null),
    [true, null, true],
  );
  const sealedClient = await store.clients.find('hs-app');
  const sealed = (sealedClient?.[STORED_SECRET_METADATA] as { sealed?: string } | undefined)?.sealed;
  assert.ok(sealed?.startsWith(ring.currentRecordPrefix), 'the client secret under the current key');
  assert.equal(sealedClient && openClientSecret(sealedClient, ring), HS256_SECRET);
  const hashedClient = await store.clients.find('basic-app');
  assert.ok(
    hashedClient && 'sha256' in (hashedClient[STORED_SECRET_METADATA] as object),
    'a hash stays a hash',
  );
}

function describeResealing(name: string, open: () => Promise<Store>): void {
  describe(`resealSealedSecrets (${name})`, () => {
    test(`${CONCURRENT_PASSES} nodes re-seal at once while 100 logins open the seeds: each record re-sealed once, none lost`, async () => {
      const store = await open();
      try {
        const fixture = await sealUnderOldKey(store);
        const totp = new TotpFactor(store.factors, ROTATED);
        const [outcomes, opened] = await Promise.all([
          Promise.all(
            Array.from({ length: CONCURRENT_PASSES }, () =>
              resealSealedSecrets({ sealedSecrets: store.sealedSecrets, keyring: ROTATED, batchSize: 7 }),
            ),
          ),
          // A node with the rotated ring opens old and new records alike, mid-way through the pass.
          Promise.all(
            fixture.users.map(async (userId) => {
              const [factor] = await totp.listFor(userId);
              return factor ? ROTATED.open(factor.secret, totpSeedContext(userId)) : undefined;
            }),
          ),
        ]);
        assert.deepEqual(
          opened,
          fixture.users.map((_, index) => seedOf(index)),
        );
        assert.equal(
          outcomes.reduce((sum, outcome) => sum + outcome.resealed, 0),
          SEEDS + OTHER_SEALED_RECORDS,
          'every record replaced exactly once across the nodes',
        );
        assert.ok(outcomes.every((outcome) => outcome.finished && outcome.unreadable.length === 0));
        await assertEverySecretUnder(store, ROTATED, fixture);
        const again = await resealSealedSecrets({ sealedSecrets: store.sealedSecrets, keyring: ROTATED });
        assert.deepEqual(again, { resealed: 0, unreadable: [], finished: true }, 'nothing left to do');
      } finally {
        await store.close();
      }
    });

    test('a pass stopped after its first batch is finished by the next one (restartable)', async () => {
      const store = await open();
      try {
        const fixture = await sealUnderOldKey(store);
        let batches = 0;
        const cut = await resealSealedSecrets({
          sealedSecrets: store.sealedSecrets,
          keyring: ROTATED,
          batchSize: 10,
          shouldStop: () => batches++ >= 1,
        });
        assert.deepEqual(cut, { resealed: 10, unreadable: [], finished: false });
        const rest = await resealSealedSecrets({
          sealedSecrets: store.sealedSecrets,
          keyring: ROTATED,
          batchSize: 10,
        });
        assert.deepEqual(rest, {
          resealed: SEEDS - 10 + OTHER_SEALED_RECORDS,
          unreadable: [],
          finished: true,
        });
        await assertEverySecretUnder(store, ROTATED, fixture);
      } finally {
        await store.close();
      }
    });

    test('a record changed while it is re-sealed keeps the change; a record no key opens is left and reported', async () => {
      const store = await open();
      try {
        const fixture = await sealUnderOldKey(store);
        const stranger = new SecretKeyring([Buffer.alloc(32, 9)]);
        const strangerFactor = await new TotpFactor(store.factors, stranger).enroll(
          fixture.users[0] as string,
          'STRANGERSEEDABCDEFGHIJKLMNOP',
          'other',
          NOW,
        );
        const [record] = await store.sealedSecrets.listNotStartingWith(
          'action-secrets',
          ROTATED.currentRecordPrefix,
          undefined,
          1,
        );
        assert.ok(record);
        // The operator deploys new secrets between the pass's read and its write: the write must lose.
        const changed = await store.sealedSecrets.replace(
          record,
          sealActionSecrets(ROTATED, 'notify', { API_KEY: 'new' }) as string,
        );
        assert.equal(changed, true);
        assert.equal(
          await store.sealedSecrets.replace(record, 'v2.stale'),
          false,
          'a stale read does not overwrite',
        );
        const outcome = await resealSealedSecrets({
          sealedSecrets: store.sealedSecrets,
          keyring: ROTATED,
          batchSize: 9,
        });
        assert.equal(outcome.resealed, SEEDS + OTHER_SEALED_RECORDS - 1, 'all but the changed record');
        assert.deepEqual(outcome.unreadable, [
          `totp-seed ${strangerFactor.id}: sealed under key ${stranger.currentKeyId}, which is not in the keyring`,
        ]);
        assert.equal((await store.factors.findById(strangerFactor.id))?.secret, strangerFactor.secret);
        const versions = await store.actions.listVersions('notify');
        assert.deepEqual(openActionSecrets(ROTATED, 'notify', versions.at(-1)?.sealedSecrets ?? null), {
          API_KEY: 'new',
        });
      } finally {
        await store.close();
      }
    });
  });
}

describeResealing('sqlite', () => openSqliteStore({ file: ':memory:' }));

const postgres = await createPostgresTestDatabase();
const databases: PostgresTestDatabase[] = [];
after(async () => {
  for (const database of databases) await database.drop();
});
if (postgres.database) {
  databases.push(postgres.database);
  const { database } = postgres;
  describeResealing('postgres', async () => {
    await database.truncate();
    return openPostgresStore({
      connectionString: database.url,
      poolMax: 8,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    });
  });
} else {
  describe('resealSealedSecrets (postgres)', { skip: postgres.skip }, () => {});
}
