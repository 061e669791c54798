import { canonicalJson } from '@stepup/core';
import type { Logger } from 'pino';
import {
  type AuthorizationDetailType,
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from '../authorization-details/authorization-detail-type.ts';
import type { AuthorizationDetailTypesRepository } from '../store/authorization-detail-types.ts';
import { isStoreUnavailable } from '../store/errors.ts';

/**
 * The operator's `authorization_details` types as this node last read them from the store, schemas
 * compiled. They are read once and kept: `forget` (called when any node announces a change, and at
 * each periodic check of the store, `ConfigChangeWatcher`) makes the next `current` read them again.
 * A schema is compiled again only when its registration changed. While the store cannot be reached,
 * the types last read stay in use; a node that never read them fails the request instead.
 */
export class AuthorizationDetailTypesRegistry {
  readonly #repository: Pick<AuthorizationDetailTypesRepository, 'list'>;
  readonly #logger: Pick<Logger, 'error' | 'warn'>;
  readonly #compiler = createSchemaCompiler();
  #compiledByRegistration = new Map<string, AuthorizationDetailType>();
  #types = new Map<string, AuthorizationDetailType>();
  /** The read the next requests share; undefined once forgotten (or failed). */
  #read: Promise<void> | undefined;
  #everRead = false;

  constructor(
    repository: Pick<AuthorizationDetailTypesRepository, 'list'>,
    logger: Pick<Logger, 'error' | 'warn'>,
  ) {
    this.#repository = repository;
    this.#logger = logger;
  }

  /** Drops what was read: the next `current` reads the store. A read already running answers its callers. */
  forget(): void {
    this.#read = undefined;
  }

  /** Makes sure the types have been read since the last `forget`. */
  async current(): Promise<void> {
    this.#read ??= this.#readStore();
    const read = this.#read;
    try {
      await read;
    } catch (error) {
      if (this.#read === read) this.#read = undefined;
      if (!this.#everRead || !isStoreUnavailable(error)) throw error;
      this.#logger.warn({ err: error }, 'store unavailable: authorization detail types as last read');
    }
  }

  async #readStore(): Promise<void> {
    const records = await this.#repository.list();
    const compiled = new Map<string, AuthorizationDetailType>();
    const types = new Map<string, AuthorizationDetailType>();
    for (const record of records) {
      const key = canonicalJson(record);
      let type = this.#compiledByRegistration.get(key);
      if (!type) {
        try {
          type = compileAuthorizationDetailType(record, this.#compiler);
        } catch (error) {
          // Written behind the management API's back: the type stays unknown, so its details are refused.
          this.#logger.error({ err: error, type: record.type }, 'authorization detail type cannot be used');
          continue;
        }
      }
      compiled.set(key, type);
      types.set(record.type, type);
    }
    this.#compiledByRegistration = compiled;
    this.#types = types;
    this.#everRead = true;
  }

  get(type: string): AuthorizationDetailType | undefined {
    return this.#types.get(type);
  }

  names(): string[] {
    return [...this.#types.keys()];
  }
}
