import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import { postTokenRequest } from '../testing/post-token-request.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { PREVIOUS_SECRET_METADATA } from './previous-client-secret.ts';
import { hashClientSecret, STORED_SECRET_METADATA } from './stored-client-secret.ts';

/** A database the last release before the migration list made (store/sql/migrations/README.md). */
const LEGACY_SQLITE = fileURLToPath(
  new URL('../store/sql/migrations/testing/legacy-sqlite-v12.sqlite', import.meta.url),
);

const WEAK = 's3cret';
const STRONG = 'Hk4Tz9Qa1Lm6Wc3Yr8Ep0Nb5Vs2Jd7Gf4Ux9Io1Kt6';
const OLD = 'old-secret-of-a-rotation';
const NOW = 1_800_000_000;

/** Client rows as today's release writes them: secrets in plain JSON. */
const LEGACY_CLIENTS = [
  {
    client_id: 'machine',
    client_secret: WEAK,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'hs-app',
    client_secret: STRONG,
    id_token_signed_response_alg: 'HS256',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'rotated',
    client_secret: STRONG,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    [PREVIOUS_SECRET_METADATA]: { client_secret: OLD, expires_at: NOW + 3600 },
  },
];

async function assertConvertedAndWorking(idp: TestProvider, rawClientRows: () => Promise<string>) {
  const clients = idp.stepup.store.clients;
  assert.deepEqual((await clients.find('machine'))?.[STORED_SECRET_METADATA], {
    sha256: hashClientSecret(WEAK),
  });
  assert.deepEqual(Object.keys((await clients.find('hs-app'))?.[STORED_SECRET_METADATA] ?? {}), ['sealed']);
  const rotated = await clients.find('rotated');
  assert.deepEqual(rotated?.[STORED_SECRET_METADATA], { sha256: hashClientSecret(STRONG) });
  assert.deepEqual(rotated?.[PREVIOUS_SECRET_METADATA], {
    sha256: hashClientSecret(OLD),
    expires_at: NOW + 3600,
  });
  const raw = await rawClientRows();
  for (const secret of [WEAK, STRONG, OLD])
    assert.equal(raw.includes(secret), false, `${secret} is gone from the rows`);

  const token = (client_id: string, client_secret: string) =>
    postTokenRequest(idp.issuer, { client_id, client_secret }, { grant_type: 'client_credentials' });
  for (const [clientId, secret] of [
    ['machine', WEAK],
    ['hs-app', STRONG],
    ['rotated', STRONG],
    ['rotated', OLD],
  ] as const) {
    assert.equal((await token(clientId, secret)).status, 200, `${clientId} with its secret`);
    assert.deepEqual((await token(clientId, `${secret}x`)).body.error, 'invalid_client');
  }
}

describe('sqlite: a database of the last release, its client secrets in plain', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-legacy-secrets-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the first start stores them hashed or sealed, and every secret still works', async () => {
    const file = join(dataDir, SQLITE_FILE_NAME);
    copyFileSync(LEGACY_SQLITE, file);
    const db = new Database(file);
    const insert = db.prepare('INSERT INTO clients (client_id, metadata) VALUES (?, ?)');
    for (const client of LEGACY_CLIENTS) insert.run(client.client_id, JSON.stringify(client));
    db.close();

    const idp = await startTestProvider({ dataDir, clock: () => NOW });
    try {
      await assertConvertedAndWorking(idp, async () => {
        const raw = new Database(file, { readonly: true });
        try {
          return JSON.stringify(raw.prepare('SELECT metadata FROM clients').all());
        } finally {
          raw.close();
        }
      });
    } finally {
      await idp.close({ removeData: false });
    }
  });
});

const postgres = await createPostgresTestDatabase();
describe('postgres: client rows with secrets in plain', { skip: postgres.skip }, () => {
  after(() => postgres.database?.drop());

  test('the first start stores them hashed or sealed, and every secret still works', async () => {
    const url = postgres.database?.url ?? '';
    // The schema first (a start over the empty database), then the rows as today's release writes them.
    await (await startTestProvider({ databaseUrl: url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('DELETE FROM clients');
      for (const row of LEGACY_CLIENTS) {
        await client.query('INSERT INTO clients (client_id, metadata) VALUES ($1, $2)', [
          row.client_id,
          JSON.stringify(row),
        ]);
      }
      const idp = await startTestProvider({ databaseUrl: url, clock: () => NOW });
      try {
        await assertConvertedAndWorking(idp, async () =>
          JSON.stringify((await client.query('SELECT metadata FROM clients')).rows),
        );
      } finally {
        await idp.close();
      }
    } finally {
      await client.end();
    }
  });
});
