import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';
import { StoreError } from '../errors.ts';

/** Turns an engine's error into the `StoreError` callers handle, or returns it unchanged. */
export type TranslateError = (error: unknown) => unknown;

/**
 * Wraps a Kysely driver so that every statement, transaction step and connection checkout fails the
 * way the repositories promise: a failure callers handle comes out as a `StoreError` (through the
 * engine's `translateError`), and a closed database rejects with code `unavailable` before it
 * reaches the engine.
 */
export class StoreDriver implements Driver {
  readonly #driver: Driver;
  readonly #translateError: TranslateError;
  readonly #isClosed: () => boolean;
  #lent = 0;

  constructor(driver: Driver, translateError: TranslateError, isClosed: () => boolean) {
    this.#driver = driver;
    this.#translateError = translateError;
    this.#isClosed = isClosed;
  }

  init(): Promise<void> {
    return this.#translate(() => this.#driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#checkOpen();
    // Counted from the request on, so a caller waiting its turn counts as much as the one served.
    this.#lent++;
    try {
      const connection = await this.#translate(() => this.#driver.acquireConnection());
      return new StoreConnection(connection, this.#translateError, () => this.#checkOpen());
    } catch (error) {
      this.#lent--;
      throw error;
    }
  }

  /** True when no connection is lent out or asked for: nothing runs on the database, no transaction is open. */
  get idle(): boolean {
    return this.#lent === 0;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#translate(() => this.#driver.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#translate(() => this.#driver.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#translate(() => this.#driver.rollbackTransaction(unwrap(connection)));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#driver.releaseConnection(unwrap(connection));
    } finally {
      this.#lent--;
    }
  }

  destroy(): Promise<void> {
    return this.#driver.destroy();
  }

  #checkOpen(): void {
    // Code `unavailable` as an outage, but not a StoreUnavailableError: retrying a closed store never
    // succeeds (the store contract expects a plain StoreError here, as the engines' stores threw).
    if (this.#isClosed()) throw new StoreError('unavailable', 'the store is closed');
  }

  async #translate<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#translateError(error);
    }
  }
}

class StoreConnection implements DatabaseConnection {
  readonly connection: DatabaseConnection;
  readonly #translateError: TranslateError;
  readonly #checkOpen: () => void;

  constructor(connection: DatabaseConnection, translateError: TranslateError, checkOpen: () => void) {
    this.connection = connection;
    this.#translateError = translateError;
    this.#checkOpen = checkOpen;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.#checkOpen();
    try {
      return await this.connection.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw this.#translateError(error);
    }
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.#checkOpen();
    return this.connection.streamQuery<R>(compiledQuery, chunkSize);
  }
}

/** The engine driver's own connection, which its transaction and release steps expect. */
function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof StoreConnection ? connection.connection : connection;
}
