import {
  type AuthorizationDetail,
  errors,
  type Provider,
  type RichAuthorizationRequestsActiveConfiguration,
} from 'oidc-provider';
import type { AuthorizationDetailTypesRegistry } from './authorization-detail-types-registry.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';
import { readProviderFeatures } from './read-provider-features.ts';

/** Requests whose `authorization_details` oidc-provider checks, and discovery, which lists the types. */
const READS_TYPES = new Set<string>([
  PROVIDER_ROUTES.authorization,
  PROVIDER_ROUTES.pushed_authorization_request,
  '/.well-known/openid-configuration',
]);

/**
 * oidc-provider's `richAuthorizationRequests` (RFC 9396) over the operator's registry. oidc-provider
 * parses the parameter, checks each detail is an object with a `type` (RFC 9396 2), refuses a type
 * that is not among `types` or not in the client's `authorization_details_types`, then calls the
 * type's `validate`: ours applies the registered JSON Schema. Errors are `invalid_authorization_details`
 * (RFC 9396 5). The details are kept on the code and given to the access token of the code exchange
 * only: a refresh never carries them again.
 */
export function richAuthorizationRequestsFeature(): RichAuthorizationRequestsActiveConfiguration {
  return {
    enabled: true,
    // Filled from the registry by `useAuthorizationDetailTypes` once the provider exists.
    types: {},
    async authorizationDetailsForGrantSource(ctx) {
      const requested = ctx.oidc.params?.authorization_details;
      return typeof requested === 'string' ? (JSON.parse(requested) as AuthorizationDetail[]) : undefined;
    },
    async authorizationDetailsForAccessToken(_ctx, _token, source, grantType) {
      return grantType === 'authorization_code' ? (source as { rar?: AuthorizationDetail[] }).rar : undefined;
    },
    async authorizationDetailsForIntrospection(_ctx, token) {
      return (token as { rar?: AuthorizationDetail[] }).rar;
    },
  };
}

/**
 * Keeps oidc-provider's `types` in step with the registry before every authorization request, pushed
 * request and discovery. The registry reads the store only after a change was announced (or at the
 * periodic check), so a type registered or removed on any node applies on every node.
 */
export function useAuthorizationDetailTypes(
  provider: Provider,
  registry: AuthorizationDetailTypesRegistry,
): void {
  const types = readProviderFeatures(provider).richAuthorizationRequests.types;
  provider.use(async (ctx, next) => {
    if (READS_TYPES.has(ctx.path)) {
      await registry.current();
      const names = new Set(registry.names());
      for (const name of Object.keys(types)) if (!names.has(name)) delete types[name];
      for (const name of names) {
        types[name] ??= {
          validate(_ctx, detail) {
            const type = registry.get(name);
            const problem = type ? type.problemWith(detail) : 'is of a type no longer registered';
            if (problem) {
              throw new errors.InvalidAuthorizationDetails(
                `authorization details of type "${name}": ${problem}`,
              );
            }
          },
        };
      }
    }
    await next();
  });
}

/**
 * The types a client may ask for (its `authorization_details_types` metadata, RFC 9396 10): every
 * registered type unless its registration names some, then those still registered. Shown to
 * oidc-provider when the client is read, so a type removed later never makes a client invalid.
 */
export function authorizationDetailTypesFor(
  stored: readonly string[] | undefined,
  registered: readonly string[],
): string[] {
  return stored ? registered.filter((name) => stored.includes(name)) : [...registered];
}
