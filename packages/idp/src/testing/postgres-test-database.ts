import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { skipOrFailUnreachable } from './skip-or-fail-unreachable.ts';

/** The server the PostgreSQL tests use unless `STEPUP_TEST_DATABASE_URL` names another. */
export const DEFAULT_TEST_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test file, on the test server. */
export interface PostgresTestDatabase {
  /** Connection URL of the fresh database. */
  url: string;
  /** Empties every table but the migrations' own, so the next test starts from a migrated, empty store. */
  truncate(): Promise<void>;
  /** Drops the database, ending connections that are still open. */
  drop(): Promise<void>;
}

/** Either the database, or why the tests that need it are skipped. */
export type PostgresTestDatabaseOrSkip =
  | { database: PostgresTestDatabase; skip?: undefined }
  | { database?: undefined; skip: string };

/**
 * Creates `stepup_test_<random>` on the server named by `STEPUP_TEST_DATABASE_URL` (default: the local
 * server, user postgres). When the server cannot be reached: in CI (`CI` set) it throws, so the test
 * file fails instead of passing without having run; elsewhere it resolves `{ skip }` with the reason,
 * for `describe(name, { skip }, …)`.
 */
export async function createPostgresTestDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<PostgresTestDatabaseOrSkip> {
  const serverUrl = env.STEPUP_TEST_DATABASE_URL || DEFAULT_TEST_SERVER_URL;
  const name = `stepup_test_${randomBytes(6).toString('hex')}`;
  try {
    await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    const service = { name: 'PostgreSQL', url: serverUrl, urlVariable: 'STEPUP_TEST_DATABASE_URL' };
    return { skip: skipOrFailUnreachable(service, error, env) };
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    database: {
      url: url.href,
      async truncate() {
        await onServer(url.href, async (client) => {
          const { rows } = await client.query<{ tablename: string }>(
            `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
               AND tablename NOT IN ('kysely_migration', 'kysely_migration_lock')`,
          );
          if (rows.length === 0) return;
          const tables = rows.map((row) => client.escapeIdentifier(row.tablename)).join(', ');
          await client.query(`TRUNCATE ${tables} RESTART IDENTITY CASCADE`);
        });
      },
      async drop() {
        await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    },
  };
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
