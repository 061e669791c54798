/**
 * Loaded into a node of the statements bench (`--import`, bench/statements-per-flow.ts): counts
 * every SQL statement the process runs, on better-sqlite3 (each run of a prepared statement, and
 * `exec`) and on pg (each `query`, transaction control included: each is a round trip). On SIGUSR2
 * it appends the count so far to the file named by COUNT_SQL_STATEMENTS_FILE, one line each time.
 * Both drivers are resolved from the working directory, the checkout the node runs.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const report = process.env.COUNT_SQL_STATEMENTS_FILE;
if (!report) throw new Error('COUNT_SQL_STATEMENTS_FILE names the file the counts go to');
const require = createRequire(join(process.cwd(), 'package.json'));
let statements = 0;

type Method = (this: unknown, ...args: unknown[]) => unknown;
/** Wraps `names` of `target` so that each call counts one statement. */
function countCalls(target: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const original = target[name] as Method;
    target[name] = function (this: unknown, ...args: unknown[]) {
      statements += 1;
      return original.apply(this, args);
    };
  }
}

const Database = require('better-sqlite3') as { prototype: Record<string, unknown> };
const prepare = Database.prototype.prepare as Method;
const counted = new WeakSet<object>();
// better-sqlite3's Statement class is not exported: its prototype is reached through a first statement.
Database.prototype.prepare = function (this: unknown, ...args: unknown[]) {
  const statement = prepare.apply(this, args) as object;
  const prototype = Object.getPrototypeOf(statement) as Record<string, unknown>;
  if (!counted.has(prototype)) {
    counted.add(prototype);
    countCalls(prototype, ['run', 'get', 'all', 'iterate']);
  }
  return statement;
};
countCalls(Database.prototype, ['exec']);
countCalls((require('pg') as { Client: { prototype: Record<string, unknown> } }).Client.prototype, ['query']);

process.on('SIGUSR2', () => appendFileSync(report, `${statements}\n`));
