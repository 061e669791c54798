import { type ClaimsParameter, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../http/json-body-parser.ts';

/** Members of `userinfo` and `id_token` are null or objects (OIDC Core 5.5; oidc-provider's default). */
function assertMembersAreObjects(claims: ClaimsParameter): void {
  for (const container of ['userinfo', 'id_token'] as const) {
    const members: unknown = claims[container];
    if (members === undefined || members === null || typeof members !== 'object') continue;
    for (const value of Object.values(members)) {
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
        throw new errors.InvalidRequest(`claims.${container} members must be null or objects`);
      }
    }
  }
}

/**
 * oidc-provider's `features.claimsParameter.assertClaimsParameter`: the `claims` parameter is JSON
 * inside a form or a query, which no body parser of ours sees, so it gets the same depth limit as a
 * JSON body here. Deeper requests are stored with the interaction (a PAR request 3,000 levels deep
 * answered 500) and walked by every step that reads them; no real request nests more than a few
 * levels (OIDC Core 5.5).
 */
export async function assertClaimsParameter(ctx: KoaContextWithOIDC, claims: ClaimsParameter): Promise<void> {
  const text = ctx.oidc.params?.['claims'];
  if (typeof text === 'string' && jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new errors.InvalidRequest(`the claims parameter nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  assertMembersAreObjects(claims);
}
