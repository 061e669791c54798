import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { loadVapidKeys } from '../factors/push/web-push-keys.ts';
import { loadProviderKeys } from '../oidc/provider-keys.ts';
import { rotateSigningKeys } from '../oidc/signing-key-rotation.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { assertNotStored, readPostgresRows, readSqliteFiles } from '../testing/storage-dump.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { SEALED_PROVIDER_KEY_NAMES } from './sealed-provider-key.ts';
import { SecretKeyring } from './secret-keyring.ts';

// Issue #16, the provider's own keys: after a start, logins and a signing-key rotation, none of the
// private key material (signing JWKs, cookie keys, the VAPID private key) is in the database files or
// rows; the keys still sign and verify across nodes; and a database started with another secret key
// refuses to start rather than make new keys.

const PASSWORD = 'correct horse battery';
const WEB_PUSH = { webPush: { enabled: true, subject: 'mailto:security@example.com' } };
/** The private members of RSA, EC and OKP JWKs (RFC 7518 6.2.2, 6.3.2; RFC 8037 2). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

type DumpStorage = () => Promise<string>;

async function signIn(idp: TestProvider, username: string): Promise<string> {
  const rp = await TestRelyingParty.discover(idp.issuer, 'app', { token_endpoint_auth_method: 'none' });
  const pending = await rp.authorizationUrl();
  const login = expectPage(await rp.open(pending));
  const tokens = await rp.redeem(
    expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    pending,
  );
  assert.ok(tokens.id_token);
  return tokens.id_token;
}

async function verifyWithJwksOf(idp: TestProvider, idToken: string): Promise<string> {
  const jwks = (await (await fetch(`${idp.issuer}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  assert.ok(
    jwks.keys.every((key) => PRIVATE_JWK_MEMBERS.every((member) => !(member in key))),
    'the JWKS is public',
  );
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks));
  return String(payload.sub);
}

/** Every private value of the provider's keys, named, as the provider reads them. */
async function privateKeyMaterial(idp: TestProvider): Promise<Record<string, string>> {
  const { store, secretKeyring } = idp.stepup;
  const { signingJwks, cookieKeys } = await loadProviderKeys(store, secretKeyring);
  const material: Record<string, string> = {};
  for (const key of signingJwks.keys) {
    for (const member of PRIVATE_JWK_MEMBERS) {
      const value = key[member];
      if (typeof value === 'string') material[`${key.kid} ${member}`] = value;
    }
  }
  cookieKeys.forEach((key, index) => {
    material[`cookie key ${index}`] = key;
  });
  material['VAPID private key'] = (await loadVapidKeys(store.keys)).privateKey;
  return material;
}

async function prepare(idp: TestProvider): Promise<void> {
  await idp.addUser('alice', PASSWORD);
  await idp.addClient({ client_id: 'app', token_endpoint_auth_method: 'none' });
}

/** Rotates the signing keys with new ones signing at once, and has `nodes` serve them. */
async function rotateNow(idp: TestProvider, ...nodes: TestProvider[]): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const rotation = await rotateSigningKeys(idp.stepup.store.keys, now, {
    activationDelay: 0,
    maxTokenLifetime: 3600,
  });
  for (const node of [idp, ...nodes]) await node.stepup.checkForChanges();
  return rotation.keys.filter((key) => key.status === 'current').map((key) => key.kid);
}

function describeAtRest(name: string, start: () => Promise<TestProvider>, dump: DumpStorage, skip?: string) {
  describe(`provider keys at rest: ${name}`, { skip: skip ?? false }, () => {
    test('after a start, a login and a signing-key rotation, no private key is in the database', async () => {
      const idp = await start();
      try {
        await prepare(idp);
        const before = await signIn(idp, 'alice');
        const newKids = await rotateNow(idp);
        const rotated = await signIn(idp, 'alice');
        assert.equal(decodeProtectedHeader(rotated).kid, newKids[0], 'the new RS256 key signs');
        assert.notEqual(decodeProtectedHeader(before).kid, newKids[0]);
        assert.equal(await verifyWithJwksOf(idp, before), await verifyWithJwksOf(idp, rotated));

        const material = await privateKeyMaterial(idp);
        const signingKeyValues = Object.keys(material).filter((entry) => / (d|p|q|dp|dq|qi)$/.test(entry));
        // RS256 has six private members, ES256 and EdDSA one each: (6 + 1 + 1) × the two generations.
        assert.equal(signingKeyValues.length, 16);
        assertNotStored(await dump(), material);
      } finally {
        await idp.close();
      }
    });
  });
}

/**
 * A store an earlier release wrote holds the key sets in clear: the next start seals them, and the
 * session, the ID token and the keys from before the upgrade carry on.
 */
function describeUpgrade(
  name: string,
  start: (port?: number) => Promise<TestProvider>,
  openRaw: () => Promise<Store>,
  dump: DumpStorage,
  skip?: string,
) {
  describe(`provider keys at rest: upgrading ${name}`, { skip: skip ?? false }, () => {
    test('key sets stored in clear are sealed at start; the session and ID token from before carry on', async () => {
      let idp = await start();
      await prepare(idp);
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { token_endpoint_auth_method: 'none' });
      const pending = await rp.authorizationUrl();
      const login = expectPage(await rp.open(pending));
      const tokens = await rp.redeem(
        expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD)),
        pending,
      );
      const material = await privateKeyMaterial(idp);
      const clear: [string, string][] = [];
      for (const keyName of SEALED_PROVIDER_KEY_NAMES) {
        clear.push([keyName, String(await idp.stepup.store.keys.get(keyName))]);
      }
      const port = Number(new URL(idp.issuer).port);
      await idp.close({ removeData: false });

      // What a release before sealing stored: each key set as JSON text.
      const raw = await openRaw();
      for (const [keyName, value] of clear) await raw.keys.set(keyName, value);
      await raw.close();
      const stored = await dump();
      assert.ok(
        Object.values(material).every((value) => stored.includes(value)),
        'the store holds every key in clear',
      );

      idp = await start(port);
      try {
        assert.deepEqual(await privateKeyMaterial(idp), material, 'the keys are the ones from before');
        assert.ok(await verifyWithJwksOf(idp, String(tokens.id_token)));
        const silent = await rp.authorizationUrl({ prompt: 'none' });
        const callback = expectCallback(await rp.open(silent));
        assert.equal(callback.searchParams.get('error'), null, 'the session cookie still signs in');
        assert.equal((await rp.redeem(callback, silent)).claims()?.sub, tokens.claims()?.sub);
      } finally {
        await idp.close({ removeData: false });
      }
      // Once the node has stopped: SQLite has written the sealed pages over the clear ones (a copy
      // taken while it runs may still hold them, see docs/deployment.md).
      assertNotStored(await dump(), material);
    });
  });
}

const sqliteDataDir = mkdtempSync(join(tmpdir(), 'stepup-keys-at-rest-'));
describeAtRest(
  'SQLite',
  () => startTestProvider({ dataDir: sqliteDataDir, push: WEB_PUSH }),
  () => readSqliteFiles(sqliteDataDir),
);

const upgradedDataDir = mkdtempSync(join(tmpdir(), 'stepup-keys-upgrade-'));
after(() => rmSync(upgradedDataDir, { recursive: true, force: true }));
describeUpgrade(
  'SQLite',
  (port) => startTestProvider({ dataDir: upgradedDataDir, push: WEB_PUSH, ...(port ? { port } : {}) }),
  () => openSqliteStore({ dataDir: upgradedDataDir }),
  () => readSqliteFiles(upgradedDataDir),
);

describe('provider keys at rest: another secret key', () => {
  test('a database started with another secret key refuses to start; with its own it starts as before', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepup-wrong-key-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestProvider({ dataDir, push: WEB_PUSH });
    await prepare(first);
    const idToken = await signIn(first, 'alice');
    const material = await privateKeyMaterial(first);
    await first.close({ removeData: false });

    await assert.rejects(startTestProvider({ dataDir, secretKey: SecretKeyring.generateKey() }), {
      name: 'ConfigError',
      code: 'provider_keys_unreadable',
    });

    const again = await startTestProvider({ dataDir, push: WEB_PUSH });
    try {
      assert.deepEqual(await privateKeyMaterial(again), material, 'the keys are the ones made at first');
      assert.ok(await verifyWithJwksOf(again, idToken));
    } finally {
      await again.close();
    }
  });
});

const postgres = await createPostgresTestDatabase();
const postgresNodes = await createPostgresTestDatabase();
const postgresUpgraded = await createPostgresTestDatabase();
after(async () => {
  await postgres.database?.drop();
  await postgresNodes.database?.drop();
  await postgresUpgraded.database?.drop();
});

const databaseUrl = postgres.database?.url ?? '';
describeAtRest(
  'PostgreSQL',
  () => startTestProvider({ databaseUrl, push: WEB_PUSH }),
  () => readPostgresRows(databaseUrl),
  postgres.skip,
);

const upgradedUrl = postgresUpgraded.database?.url ?? '';
describeUpgrade(
  'PostgreSQL',
  (port) => startTestProvider({ databaseUrl: upgradedUrl, push: WEB_PUSH, ...(port ? { port } : {}) }),
  () =>
    openPostgresStore({
      connectionString: upgradedUrl,
      poolMax: 2,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    }),
  () => readPostgresRows(upgradedUrl),
  postgresUpgraded.skip,
);

describe('provider keys at rest: two nodes on one PostgreSQL', { skip: postgresNodes.skip ?? false }, () => {
  test('each verifies the ID tokens the other signs, before and after a rotation', async () => {
    const url = postgresNodes.database?.url ?? '';
    const [a, b] = await Promise.all([
      startTestProvider({ databaseUrl: url, push: WEB_PUSH }),
      startTestProvider({ databaseUrl: url, push: WEB_PUSH }),
    ]);
    try {
      await prepare(a);
      assert.deepEqual(await privateKeyMaterial(a), await privateKeyMaterial(b), 'one set of keys');
      const fromA = await signIn(a, 'alice');
      const fromB = await signIn(b, 'alice');
      assert.equal(await verifyWithJwksOf(b, fromA), await verifyWithJwksOf(a, fromB));

      const newKids = await rotateNow(a, b);
      const rotatedFromB = await signIn(b, 'alice');
      assert.equal(decodeProtectedHeader(rotatedFromB).kid, newKids[0], 'B signs with the key A made');
      assert.ok(await verifyWithJwksOf(a, rotatedFromB));
      assert.ok(await verifyWithJwksOf(b, await signIn(a, 'alice')));
      assert.ok(await verifyWithJwksOf(b, fromA), 'a token signed before the rotation still verifies');
      assertNotStored(await readPostgresRows(url), await privateKeyMaterial(b));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
after(() => rmSync(sqliteDataDir, { recursive: true, force: true }));
