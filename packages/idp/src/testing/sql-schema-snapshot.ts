import type Database from 'better-sqlite3';
import type pg from 'pg';

/** Tables that record which migrations ran rather than hold the store's data. */
const BOOKKEEPING_TABLES = ['kysely_migration', 'kysely_migration_lock', 'schema_migrations'];

/**
 * Tables migrations after `0001-baseline` create: leave them out to compare a database with the
 * schema the last release before the migration list made.
 */
export const TABLES_ADDED_AFTER_BASELINE: readonly string[] = [
  'password_reset_tokens',
  'authorization_detail_types',
  'push_challenge_transactions',
];

/** What to leave out of a snapshot besides the bookkeeping tables. */
export interface SchemaSnapshotOptions {
  withoutTables?: readonly string[];
}

/** Lower-cased, unquoted, with runs of spaces as one and none inside parentheses. */
function normalizeSql(text: string): string {
  return text
    .toLowerCase()
    .replaceAll('"', '')
    .replace(/\s+/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .trim();
}

/** The expressions of every CHECK in a CREATE TABLE, column or table constraint alike. */
function checkExpressions(createTable: string): string[] {
  const checks: string[] = [];
  for (const match of createTable.matchAll(/\bcheck\s*\(/gi)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    let depth = 0;
    for (let at = open; at < createTable.length; at++) {
      if (createTable[at] === '(') depth++;
      if (createTable[at] === ')') depth--;
      if (depth === 0) {
        checks.push(normalizeSql(createTable.slice(open + 1, at)));
        break;
      }
    }
  }
  return checks.sort();
}

/**
 * The structure of a SQLite schema as data, to compare two databases: per table whether it is
 * STRICT, its columns (by name), CHECKs, foreign keys and indexes with their columns and WHERE.
 */
export function sqliteSchemaSnapshot(
  db: Database.Database,
  options: SchemaSnapshotOptions = {},
): Record<string, unknown> {
  const tables = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .all() as { name: string; sql: string }[];
  const snapshot: Record<string, unknown> = {};
  for (const { name, sql } of tables) {
    if (BOOKKEEPING_TABLES.includes(name) || options.withoutTables?.includes(name)) continue;
    const [listing] = db.pragma(`table_list(${JSON.stringify(name)})`) as { strict: number }[];
    const columns = (
      db.pragma(`table_info(${JSON.stringify(name)})`) as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
      }[]
    )
      .map(({ name: column, type, notnull, dflt_value, pk }) => ({
        column,
        type: type.toUpperCase(),
        notnull,
        default: dflt_value,
        pk,
      }))
      .sort((a, b) => a.column.localeCompare(b.column));
    const foreignKeys = (
      db.pragma(`foreign_key_list(${JSON.stringify(name)})`) as {
        table: string;
        from: string;
        to: string;
        on_update: string;
        on_delete: string;
      }[]
    )
      .map(
        ({ table, from, to, on_update, on_delete }) => `${from} -> ${table}.${to} ${on_update} ${on_delete}`,
      )
      .sort();
    const indexes = (
      db.pragma(`index_list(${JSON.stringify(name)})`) as {
        name: string;
        unique: number;
        origin: string;
        partial: number;
      }[]
    )
      .map((index) => {
        const indexColumns = (
          db.pragma(`index_info(${JSON.stringify(index.name)})`) as { name: string }[]
        ).map((column) => column.name);
        const row = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(index.name) as
          | { sql: string | null }
          | undefined;
        const where = row?.sql ? normalizeSql(row.sql).split(' where ')[1] : undefined;
        // Automatic indexes (PRIMARY KEY, UNIQUE) are numbered in declaration order: name them by what they cover.
        const key = index.origin === 'c' ? index.name : `${index.origin}(${indexColumns.join(', ')})`;
        return { key, unique: index.unique, partial: index.partial, columns: indexColumns, where };
      })
      .sort((a, b) => a.key.localeCompare(b.key));
    snapshot[name] = {
      strict: listing?.strict,
      columns,
      checks: checkExpressions(sql),
      foreignKeys,
      indexes,
    };
  }
  return snapshot;
}

/**
 * The structure of the PostgreSQL schema in use (`current_schema()`) as data, to compare two
 * databases: columns with types, nullability, defaults and identity; constraints as PostgreSQL
 * prints them; indexes by definition.
 */
export async function postgresSchemaSnapshot(
  client: pg.ClientBase,
  options: SchemaSnapshotOptions = {},
): Promise<Record<string, unknown>> {
  const excluded = [...BOOKKEEPING_TABLES, ...(options.withoutTables ?? [])];
  const columns = await client.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity,
            identity_generation
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND NOT (table_name = ANY($1))
      ORDER BY table_name, column_name`,
    [excluded],
  );
  const constraints = await client.query(
    `SELECT cls.relname AS table_name, con.conname, pg_get_constraintdef(con.oid) AS definition
       FROM pg_constraint con JOIN pg_class cls ON cls.oid = con.conrelid
      WHERE con.connamespace = current_schema()::regnamespace AND NOT (cls.relname = ANY($1))
      ORDER BY cls.relname, con.conname`,
    [excluded],
  );
  const indexes = await client.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND NOT (tablename = ANY($1))
      ORDER BY tablename, indexname`,
    [excluded],
  );
  const sequences = await client.query(
    `SELECT sequence_name, data_type FROM information_schema.sequences
      WHERE sequence_schema = current_schema() ORDER BY sequence_name`,
  );
  return {
    columns: columns.rows,
    constraints: constraints.rows,
    indexes: indexes.rows,
    sequences: sequences.rows,
  };
}
