import type { Logger } from 'pino';
import {
  type AuthorizationDetailType,
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from '../authorization-details/authorization-detail-type.ts';
import { canonicalJson } from '../authorization-details/canonical-json.ts';
import type { AuthorizationDetailTypesRepository } from '../store/authorization-detail-types.ts';

/**
 * The operator's `authorization_details` types as this node last read them from the store, schemas
 * compiled. `refresh` reads the store again (every authorization request does, so a type registered
 * on any node applies at once); a schema is compiled again only when its registration changed.
 */
export class AuthorizationDetailTypesRegistry {
  readonly #repository: Pick<AuthorizationDetailTypesRepository, 'list'>;
  readonly #logger: Pick<Logger, 'error'>;
  readonly #compiler = createSchemaCompiler();
  #compiledByRegistration = new Map<string, AuthorizationDetailType>();
  #types = new Map<string, AuthorizationDetailType>();

  constructor(repository: Pick<AuthorizationDetailTypesRepository, 'list'>, logger: Pick<Logger, 'error'>) {
    this.#repository = repository;
    this.#logger = logger;
  }

  async refresh(): Promise<void> {
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
  }

  get(type: string): AuthorizationDetailType | undefined {
    return this.#types.get(type);
  }

  names(): string[] {
    return [...this.#types.keys()];
  }
}
