import { StoreConflictError, StoreInputError, StoreUnavailableError } from '../errors.ts';

/** Node's socket errors that mean the server cannot be reached or went away. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * SQLSTATEs of a server that is down, starting, shutting down or out of connections: class 08
 * (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300
 * (too many connections) and 57014 (query cancelled, here by statement_timeout).
 */
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '53300' ||
    code === '57014'
  );
}

/**
 * Turns the failures callers handle into `StoreError`s: a unique violation is a conflict; a value
 * text can not hold is `invalid_input`; an unreachable, restarting or overloaded server is
 * `unavailable`. Other errors (a broken foreign key,
 * bad input, a bug in a statement) pass through unchanged.
 */
export function translatePostgresError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code === '23505') {
    return new StoreConflictError('a record with the same unique value already exists', { cause: error });
  }
  // 22021: a text value with U+0000 (or bytes that are not UTF-8); 22P05: U+0000 escaped into jsonb.
  if (code === '22021' || code === '22P05') {
    return new StoreInputError('a value contains a character PostgreSQL can not store', { cause: error });
  }
  if (NETWORK_ERROR_CODES.has(code) || isUnavailableSqlState(code) || isPoolConnectionFailure(error)) {
    return new StoreUnavailableError('PostgreSQL is unavailable', { cause: error });
  }
  return error;
}

/**
 * pg and pg-pool report a connect timeout, a connection lost under a query, a query timeout and a
 * broken client as plain errors without a code; these are their messages (pg 8).
 */
function isPoolConnectionFailure(error: Error): boolean {
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable/.test(
    error.message,
  );
}
