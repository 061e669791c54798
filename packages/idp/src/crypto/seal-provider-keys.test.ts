import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import webPush from 'web-push';
import { loadVapidKeys } from '../factors/push/web-push-keys.ts';
import { generateSigningKey, loadProviderKeys, SIGNING_ALGORITHMS } from '../oidc/provider-keys.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { resealSealedSecrets } from './reseal-sealed-secrets.ts';
import { SEALED_PROVIDER_KEY_NAMES } from './sealed-provider-key.ts';
import { SecretKeyring } from './secret-keyring.ts';

// Issue #16, the provider's own keys: the signing, cookie and Web Push keys are sealed in the keys
// table, upgraded from clear at start by any number of nodes at once, re-sealed after a rotation of
// the secret key, and a database opened with another key refuses to start.

/** Nodes starting at once over one database, each with connections of its own. */
const NODES = 8;

function newKeyring(): SecretKeyring {
  return SecretKeyring.parse(SecretKeyring.generateKey());
}

/** What a release before sealing stored: each key set as JSON text. */
async function clearKeySets(): Promise<Record<string, string>> {
  const vapid = webPush.generateVAPIDKeys();
  return {
    'signing-jwks': JSON.stringify({ keys: await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey)) }),
    'cookie-keys': JSON.stringify([randomBytes(32).toString('base64url')]),
    'web-push-vapid-keys': JSON.stringify({ publicKey: vapid.publicKey, privateKey: vapid.privateKey }),
  };
}

/** The keys table's rows as they are stored, by name. */
async function storedRows(store: Store): Promise<Record<string, string | undefined>> {
  const rows: Record<string, string | undefined> = {};
  for (const name of [...SEALED_PROVIDER_KEY_NAMES, 'signing-key-retirement']) {
    rows[name] = await store.keys.get(name);
  }
  return rows;
}

function describeSealing(name: string, openNode: () => Promise<Store>, skip?: string) {
  describe(`provider keys sealed at rest: ${name}`, { skip: skip ?? false }, () => {
    const nodes: Store[] = [];
    after(async () => {
      for (const node of nodes) await node.close();
    });
    const keyring = newKeyring();
    let clear: Record<string, string>;

    test(`key sets stored in clear are sealed when ${NODES} nodes start at once, and read as they were`, async () => {
      for (let i = 0; i < NODES; i++) nodes.push(await openNode());
      const [raw] = nodes as [Store];
      clear = await clearKeySets();
      for (const [keyName, value] of Object.entries(clear)) await raw.keys.set(keyName, value);
      await raw.keys.set('signing-key-retirement', '{}');

      const started = await Promise.all(nodes.map((node) => loadProviderKeys(node, keyring)));
      for (const loaded of started) {
        assert.equal(loaded.created, false, 'no node made keys of its own');
        assert.deepEqual(loaded.signingJwks, JSON.parse(clear['signing-jwks'] as string));
        assert.deepEqual(loaded.cookieKeys, JSON.parse(clear['cookie-keys'] as string));
        assert.deepEqual(
          { ...(await loadVapidKeys(loaded.sealedKeys)) },
          { ...JSON.parse(clear['web-push-vapid-keys'] as string), created: false },
        );
      }
      const rows = await storedRows(raw);
      for (const keyName of SEALED_PROVIDER_KEY_NAMES) {
        assert.ok(rows[keyName]?.startsWith(keyring.currentRecordPrefix), `${keyName} is sealed`);
      }
      assert.equal(rows['signing-key-retirement'], '{}', 'what is not secret stays readable');

      await loadProviderKeys(raw, keyring);
      assert.deepEqual(await storedRows(raw), rows, 'a second start changes nothing');
    });

    test('a database opened with another secret key refuses to start and changes nothing', async () => {
      const [raw] = nodes as [Store];
      const sealed = await storedRows(raw);
      // Beside the sealed ones, a key set an older node wrote in clear: not sealed under the wrong key.
      await raw.keys.set('web-push-vapid-keys', clear['web-push-vapid-keys'] as string);
      const before = await storedRows(raw);
      try {
        await assert.rejects(loadProviderKeys(raw, newKeyring()), {
          name: 'ConfigError',
          code: 'provider_keys_unreadable',
        });
        assert.deepEqual(await storedRows(raw), before);
      } finally {
        await raw.keys.set('web-push-vapid-keys', sealed['web-push-vapid-keys'] as string);
      }
    });

    test('a sealed key set moved under another name does not open', async () => {
      const [raw] = nodes as [Store];
      const before = await storedRows(raw);
      await raw.keys.set('cookie-keys', before['web-push-vapid-keys'] as string);
      try {
        await assert.rejects(loadProviderKeys(raw, keyring), { code: 'provider_keys_unreadable' });
      } finally {
        await raw.keys.set('cookie-keys', before['cookie-keys'] as string);
      }
    });

    test('after a rotation of the secret key, the re-sealing pass moves the key sets to the new key', async () => {
      const [raw] = nodes as [Store];
      const newKey = SecretKeyring.generateKey();
      const rotated = SecretKeyring.parse([newKey, ...keyring.keyTexts()].join(','));
      // Every node re-seals at start; a record goes over once, whoever wins.
      const outcomes = await Promise.all(
        nodes.map((node) => resealSealedSecrets({ sealedSecrets: node.sealedSecrets, keyring: rotated })),
      );
      assert.equal(
        outcomes.reduce((sum, outcome) => sum + outcome.resealed, 0),
        SEALED_PROVIDER_KEY_NAMES.length,
      );
      const rows = await storedRows(raw);
      for (const keyName of SEALED_PROVIDER_KEY_NAMES) {
        assert.ok(rows[keyName]?.startsWith(rotated.currentRecordPrefix), `${keyName} is under the new key`);
      }
      const withNewKeyOnly = await loadProviderKeys(raw, SecretKeyring.parse(newKey));
      assert.deepEqual(withNewKeyOnly.signingJwks, JSON.parse(clear['signing-jwks'] as string));
      assert.deepEqual(withNewKeyOnly.cookieKeys, JSON.parse(clear['cookie-keys'] as string));
      await assert.rejects(loadProviderKeys(raw, keyring), { code: 'provider_keys_unreadable' });
    });
  });
}

const sqliteDataDir = mkdtempSync(join(tmpdir(), 'stepup-sealed-keys-'));
after(() => rmSync(sqliteDataDir, { recursive: true, force: true }));
describeSealing('SQLite', () => openSqliteStore({ dataDir: sqliteDataDir }));

const postgres = await createPostgresTestDatabase();
after(() => postgres.database?.drop());
describeSealing(
  'PostgreSQL',
  () =>
    openPostgresStore({
      connectionString: postgres.database?.url ?? '',
      poolMax: 2,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    }),
  postgres.skip,
);
