/** Stable codes a caller can switch on; the message is for logs only. */
export type StoreErrorCode = 'conflict' | 'unavailable' | 'invalid_input';

/** A failure of the storage layer that callers are expected to handle. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** A write would break a uniqueness rule, such as a username or email that is already registered. */
export class StoreConflictError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('conflict', message, options);
    this.name = 'StoreConflictError';
  }
}

/**
 * The database cannot be reached or refused to serve, e.g. while it restarts; retrying later may
 * succeed, and the HTTP layer answers 503. A write that failed this way was applied whole or not at
 * all (each write is one statement or one transaction), but when the connection broke mid-commit the
 * caller cannot know which.
 */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('unavailable', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A value the database can not hold (PostgreSQL text refuses U+0000): nothing was read or written,
 * and the HTTP layer answers 400. No stored value contains such a character, so no lookup could
 * have matched either.
 */
export class StoreInputError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('invalid_input', message, options);
    this.name = 'StoreInputError';
  }
}

/** True for input the store refused as unstorable (see `StoreInputError`). */
export function isStoreInputError(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'invalid_input';
}

/** True for a store that cannot serve for now (a database restarting, a closed pool): retry later. */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'unavailable';
}
