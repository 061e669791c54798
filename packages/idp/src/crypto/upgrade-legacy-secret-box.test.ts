import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openActionSecrets } from '../actions/action-secrets.ts';
import { totpSeedContext } from '../factors/totp/totp-factor.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { POSTGRES_TEST_SECRET_KEY, startTestProvider } from '../testing/test-provider.ts';
import { LegacySecretBox } from './legacy-secret-box.ts';
import { loadSecretKeyring } from './load-secret-keyring.ts';
import { resealSealedSecrets } from './reseal-sealed-secrets.ts';
import { SecretKeyring } from './secret-keyring.ts';
import { LEGACY_SECRET_BOX_KEY, upgradeLegacySecretBox } from './upgrade-legacy-secret-box.ts';

/** A database made by the provider before the keyring (see testing/README.md). */
const FIXTURE = new URL('./testing/legacy-secret-box-key.sqlite', import.meta.url);
const SEEDS = { alice: 'JBSWY3DPEHPK3PXP', bob: 'KRSXG5CTMVRXEZLU' };
const ACTION_SECRETS = [
  { API_KEY: 'rotated-api-key', OTHER: 'second value' },
  { API_KEY: 'legacy-api-key', OTHER: 'second value' },
];

const root = mkdtempSync(join(tmpdir(), 'stepup-legacy-'));
after(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
function legacyDataDir(): string {
  const dataDir = join(root, `data-${++copies}`);
  mkdirSync(dataDir, { mode: 0o700 });
  copyFileSync(FIXTURE, join(dataDir, SQLITE_FILE_NAME));
  return dataDir;
}

/** Every sealed secret of the fixture opens under `keyring` to what the old release sealed, and is under its current key. */
async function assertUpgraded(store: Store, keyring: SecretKeyring): Promise<void> {
  assert.equal(await store.keys.get(LEGACY_SECRET_BOX_KEY), undefined, 'the database key is gone');
  for (const [username, seed] of Object.entries(SEEDS)) {
    const user = await store.users.findByLogin(username);
    assert.ok(user);
    const [factor] = await store.factors.listForUser(user.id);
    assert.ok(factor?.secret.startsWith(keyring.currentRecordPrefix), username);
    assert.ok(factor);
    assert.equal(keyring.open(factor.secret, totpSeedContext(user.id)), seed);
  }
  const versions = await store.actions.listVersions('with-secrets');
  assert.deepEqual(
    versions.map((version) => openActionSecrets(keyring, 'with-secrets', version.sealedSecrets)),
    ACTION_SECRETS,
  );
  assert.ok(versions.every((version) => version.sealedSecrets?.startsWith(keyring.currentRecordPrefix)));
}

describe('upgrading a store made before the keyring', () => {
  test('the first start re-seals the seeds and Action secrets under the keyring and deletes the database key', async () => {
    const dataDir = legacyDataDir();
    const before = await openSqliteStore({ dataDir });
    assert.ok(await before.keys.get(LEGACY_SECRET_BOX_KEY), 'the fixture has its key in the database');
    await before.close();

    const idp = await startTestProvider({ dataDir });
    try {
      await assertUpgraded(idp.stepup.store, idp.stepup.secretKeyring);
      // The key that now opens them is the data folder's key file, not anything in the database.
      assert.deepEqual(loadSecretKeyring(idp.stepup.config).keyring.keyIds, idp.stepup.secretKeyring.keyIds);
    } finally {
      await idp.close({ removeData: false });
    }
    const again = await startTestProvider({ dataDir });
    try {
      await assertUpgraded(again.stepup.store, again.stepup.secretKeyring);
    } finally {
      await again.close();
    }
  });

  test('an upgrade cut short keeps the database key until a later pass has re-sealed the rest (idempotent)', async () => {
    const dataDir = legacyDataDir();
    const { keyring } = loadSecretKeyring({ dataDir });
    const store = await openSqliteStore({ dataDir });
    try {
      const legacyKey = await store.keys.get(LEGACY_SECRET_BOX_KEY);
      assert.ok(legacyKey);
      let batches = 0;
      // The process dies after one record: no key deleted, one seed re-sealed, the rest still v1.
      const cut = await resealSealedSecrets({
        sealedSecrets: store.sealedSecrets,
        keyring,
        legacy: new LegacySecretBox(Buffer.from(legacyKey, 'base64url')),
        batchSize: 1,
        shouldStop: () => batches++ >= 1,
      });
      assert.deepEqual(cut, { resealed: 1, unreadable: [], finished: false });
      assert.equal(await store.keys.get(LEGACY_SECRET_BOX_KEY), legacyKey);

      const outcome = await upgradeLegacySecretBox(store, keyring);
      // The three records left, and the fixture's signing and cookie keys, stored in clear then.
      assert.deepEqual(outcome, { resealed: 5, unreadable: [], finished: true });
      await assertUpgraded(store, keyring);
      assert.equal(await upgradeLegacySecretBox(store, keyring), undefined, 'nothing left to upgrade');
    } finally {
      await store.close();
    }
  });
});

/** The fixture's sealed secrets, their owners and the database key, copied row for row into PostgreSQL. */
const LEGACY_TABLES = ['users', 'factors', 'actions', 'action_versions', 'keys'] as const;

const postgres = await createPostgresTestDatabase();
after(() => postgres.database?.drop());

describe('upgrading a PostgreSQL store made before the keyring', { skip: postgres.skip ?? false }, () => {
  test('the first provider start on the database re-seals its secrets under STEPUP_SECRET_KEY and deletes its key', async () => {
    const url = postgres.database?.url ?? '';
    const store = await openPostgresStore({
      connectionString: url,
      poolMax: 2,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    });
    const fixture = new Database(fileURLToPath(FIXTURE), { readonly: true });
    try {
      // In through SQL, not the repositories: the rows stay exactly as the old release wrote them.
      await copyRows(url, fixture);
      assert.ok(await store.keys.get(LEGACY_SECRET_BOX_KEY));
    } finally {
      fixture.close();
      await store.close();
    }
    const idp = await startTestProvider({ databaseUrl: url });
    try {
      assert.deepEqual(idp.stepup.secretKeyring.keyIds, SecretKeyring.parse(POSTGRES_TEST_SECRET_KEY).keyIds);
      await assertUpgraded(idp.stepup.store, idp.stepup.secretKeyring);
    } finally {
      await idp.close();
    }
  });
});

async function copyRows(url: string, fixture: Database.Database): Promise<void> {
  const db = new Kysely<Record<string, Record<string, unknown>>>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    for (const table of LEGACY_TABLES) {
      const rows = fixture.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      if (rows.length > 0) await db.insertInto(table).values(rows).execute();
    }
  } finally {
    await db.destroy();
  }
}
