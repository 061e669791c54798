import { type ColumnDefinitionBuilder, type CreateTableBuilder, sql } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';

type Column = ColumnDefinitionBuilder;

/**
 * Where the engines differ in how a column is kept; the migrations name a column's kind here and are
 * otherwise written once.
 */
export interface ColumnTypes {
  readonly engine: SqlDialect['engine'];
  /** Epoch seconds and counts: SQLite's INTEGER is 64-bit already, PostgreSQL needs BIGINT. */
  readonly bigint: 'integer' | 'bigint';
  /** JSON as written: TEXT checked by `json_valid` on SQLite, `json` (not `jsonb`) on PostgreSQL. */
  readonly json: 'text' | 'json';
  /** SQLite has no boolean: 0 or 1 in an INTEGER. */
  readonly boolean: 'integer' | 'boolean';
  readonly bytes: 'blob' | 'bytea';
  readonly double: 'real' | 'double precision';
  /** The default of a boolean column that starts false. */
  readonly false: 0 | false;
  /** Makes the table STRICT on SQLite, so a value of the wrong type is refused as on PostgreSQL. */
  strictTable<Name extends string, Columns extends string>(
    table: CreateTableBuilder<Name, Columns>,
  ): CreateTableBuilder<Name, Columns>;
  /** On SQLite, checks that the NOT NULL JSON column holds valid JSON. */
  validJson(column: Column, name: string): Column;
  /** On SQLite, checks that the nullable JSON column holds valid JSON when set. */
  validJsonOrNull(column: Column, name: string): Column;
  /** On SQLite, checks that the boolean column holds 0 or 1. */
  zeroOrOne(column: Column, name: string): Column;
  /** A primary key numbered by the database in insertion order. */
  autoIncrementKey(column: Column): Column;
}

const sqliteTypes: ColumnTypes = {
  engine: 'sqlite',
  bigint: 'integer',
  json: 'text',
  boolean: 'integer',
  bytes: 'blob',
  double: 'real',
  false: 0,
  strictTable: (table) => table.modifyEnd(sql`strict`),
  validJson: (column, name) => column.check(sql`json_valid(${sql.ref(name)})`),
  validJsonOrNull: (column, name) =>
    column.check(sql`${sql.ref(name)} IS NULL OR json_valid(${sql.ref(name)})`),
  zeroOrOne: (column, name) => column.check(sql`${sql.ref(name)} IN (0, 1)`),
  autoIncrementKey: (column) => column.primaryKey().autoIncrement(),
};

const postgresTypes: ColumnTypes = {
  engine: 'postgres',
  bigint: 'bigint',
  json: 'json',
  boolean: 'boolean',
  bytes: 'bytea',
  double: 'double precision',
  false: false,
  strictTable: (table) => table,
  validJson: (column) => column,
  validJsonOrNull: (column) => column,
  zeroOrOne: (column) => column,
  autoIncrementKey: (column) => column.generatedAlwaysAsIdentity().primaryKey(),
};

export function columnTypesFor(engine: SqlDialect['engine']): ColumnTypes {
  return engine === 'sqlite' ? sqliteTypes : postgresTypes;
}
