import type { OidcAdapterFactory } from '../store/oidc-adapter.ts';
import type { AuthorizationDetailTypesRegistry } from './authorization-detail-types-registry.ts';
import { authorizationDetailTypesFor } from './rich-authorization-requests.ts';

/**
 * oidc-provider's adapter over `Adapter`, with each client's `authorization_details_types` (RFC 9396
 * 10) as `authorizationDetailTypesFor` says: shown when read, never stored, so a type the operator
 * removes later leaves no client registration that oidc-provider would refuse.
 */
export function withAuthorizationDetailTypesShown(
  Adapter: OidcAdapterFactory,
  registry: AuthorizationDetailTypesRegistry,
): OidcAdapterFactory {
  return class AuthorizationDetailTypesAdapter extends Adapter {
    readonly #isClient: boolean;

    constructor(name: string) {
      super(name);
      this.#isClient = name === 'Client';
    }

    override async find(id: string) {
      const found = await super.find(id);
      if (!this.#isClient || !found) return found;
      const stored = found.authorization_details_types;
      return {
        ...found,
        authorization_details_types: authorizationDetailTypesFor(
          Array.isArray(stored) ? (stored as string[]) : undefined,
          registry.names(),
        ),
      };
    }
  };
}
