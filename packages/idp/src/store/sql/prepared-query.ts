import { type Compilable, createQueryId, type QueryResult } from 'kysely';
import type { SqlDatabase } from './sql-database.ts';

/** Stands in a built query for a value given at each run; found again by identity after compiling. */
class Placeholder {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }
}

/** Where a prepared query takes a value of its parameters `P`. */
export type Parameter<P> = <K extends keyof P & string>(name: K) => P[K];

/**
 * A query built and compiled once, then run with new values: the statements of every request (the
 * oidc adapter's, session reads) skip Kysely's building and compiling each time, which costs about
 * as much as running them. `build` places values with `parameter(name)`; constants it writes in stay
 * as they are. Runs outside any transaction (`SqlDatabase.runPrepared`).
 */
export function prepareQuery<P extends object, Row>(
  db: SqlDatabase,
  build: (parameter: Parameter<P>) => Compilable<Row>,
): (values: P) => Promise<Row[]> {
  const run = compileOnce(db, build);
  return async (values) => (await run(values)).rows;
}

/**
 * `prepareQuery` for an UPDATE or DELETE whose caller needs how many rows it changed, not rows:
 * resolves with that count.
 */
export function prepareCommand<P extends object>(
  db: SqlDatabase,
  build: (parameter: Parameter<P>) => Compilable<unknown>,
): (values: P) => Promise<bigint> {
  const run = compileOnce(db, build);
  return async (values) => (await run(values)).numAffectedRows ?? 0n;
}

function compileOnce<P extends object, Row>(
  db: SqlDatabase,
  build: (parameter: Parameter<P>) => Compilable<Row>,
): (values: P) => Promise<QueryResult<Row>> {
  // The placeholder is no P[K]: it only ever travels into the query as a value, and leaves it below.
  const compiled = build((name) => new Placeholder(name) as unknown as P[typeof name]).compile();
  const slots = compiled.parameters.map((value) =>
    value instanceof Placeholder ? (value.name as keyof P & string) : undefined,
  );
  return (values) => {
    const parameters = compiled.parameters.map((value, index) => {
      const slot = slots[index];
      return slot === undefined ? value : values[slot];
    });
    return db.runPrepared<Row>({ ...compiled, queryId: createQueryId(), parameters });
  };
}
