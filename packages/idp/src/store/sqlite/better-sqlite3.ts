import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * better-sqlite3 for the Node.js that runs us. Version 12 aborts the process on Node.js 24 when a
 * statement is garbage-collected (`Assertion failed: (env) != nullptr` in Statement::~Statement,
 * reproducible in a loop of prepare/close); version 13 fixes it but needs Node.js 22 or later and
 * crashes on 20. Both are installed (13 under the alias `better-sqlite3-13`) and this picks one.
 */
const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export const Database: typeof BetterSqlite3 = require(major >= 22 ? 'better-sqlite3-13' : 'better-sqlite3');
export type Database = BetterSqlite3.Database;
