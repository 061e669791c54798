/** Stable codes a caller can switch on; the message is for logs only. */
export type StoreErrorCode = 'conflict' | 'unavailable';

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
