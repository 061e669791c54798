import {
  type Expression,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import type { StoreTables } from './store-tables.ts';

/**
 * Where SQLite and PostgreSQL differ under the repositories, in one place. Kysely already writes the
 * same upsert (`onConflict`), `RETURNING` and placeholders for both; what is left is how JSON and
 * booleans come back, row locking, text order and search, insertion order, and writers taking turns.
 * Errors differ too; each engine's translation runs under every statement (see `store-driver.ts`).
 */
export interface SqlDialect {
  readonly engine: 'sqlite' | 'postgres';
  /** A JSON column's value as read: SQLite hands back the text, pg parses a `json` column itself. */
  readJson(value: unknown): unknown;
  /**
   * Adds `FOR UPDATE` on PostgreSQL, where other nodes' transactions run at the same time. SQLite has
   * no row locks and needs none: the store's single connection runs one transaction at a time.
   */
  lockForUpdate<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
  /**
   * A text column to sort by in byte order, the same on both engines: SQLite compares text as bytes,
   * PostgreSQL by the database's locale unless told `COLLATE "C"`.
   */
  inByteOrder(column: string): RawBuilder<string>;
  /** True when `text` holds `part` as written: no `LIKE` wildcards, no case folding. */
  containsText(text: Expression<string>, part: string): RawBuilder<SqlBool>;
  /**
   * The order rows were inserted in, to sort rows created in the same second: SQLite's `rowid`, the
   * `seq` identity column PostgreSQL tables have for that (not in `store-tables.ts`: SQLite has none).
   * For a query on one table.
   */
  readonly insertionOrder: RawBuilder<number>;
  /**
   * Makes the transactions that name the same `lock` take turns until they end, on every node: a
   * transaction-level advisory lock on PostgreSQL, for writers that decide on rows a row lock cannot
   * cover (one not inserted yet). SQLite needs none: its single connection runs one transaction at a
   * time.
   */
  takeTurns(transaction: Kysely<StoreTables>, lock: number): Promise<void>;
}

export const sqliteDialect: SqlDialect = {
  engine: 'sqlite',
  readJson: (value) => JSON.parse(value as string),
  lockForUpdate: (query) => query,
  inByteOrder: (column) => sql<string>`${sql.ref(column)}`,
  containsText: (text, part) => sql<SqlBool>`instr(${text}, ${part}) > 0`,
  insertionOrder: sql<number>`rowid`,
  takeTurns: async () => {},
};

export const postgresDialect: SqlDialect = {
  engine: 'postgres',
  readJson: (value) => value,
  lockForUpdate: (query) => query.forUpdate(),
  inByteOrder: (column) => sql<string>`${sql.ref(column)} COLLATE "C"`,
  containsText: (text, part) => sql<SqlBool>`strpos(${text}, ${part}) > 0`,
  insertionOrder: sql<number>`seq`,
  takeTurns: async (transaction, lock) => {
    await sql`SELECT pg_advisory_xact_lock(${lock})`.execute(transaction);
  },
};

/** The text a JSON column is written with, on both engines; `undefined` or a function is a TypeError. */
export function writeJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value must be serialisable as JSON');
  return json;
}

/** A boolean column's value on both engines: SQLite stores 0/1, and PostgreSQL's BOOLEAN takes 1/0. */
export function writeBoolean(value: boolean): number {
  return value ? 1 : 0;
}

/** A boolean column as read: 0/1 from SQLite, `false`/`true` from pg. */
export function readBoolean(value: number | boolean): boolean {
  return value === true || value === 1;
}
