import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
import type { AccessTokenScopeChanges, PostLoginOutcome } from './post-login-outcome.ts';
import { isRegisteredClaim } from './registered-claims.ts';

/**
 * What an allowed login keeps of the Actions until it completes: the custom claims for its tokens
 * and the metadata changes to write. Applied only when the authorization succeeds (a code is
 * issued) or the refresh succeeds — a login that is denied, or stops at a factor, changes nothing.
 */
export interface LoginEffects {
  idTokenClaims: JsonObject;
  accessTokenClaims: JsonObject;
  /** Scopes the Actions add to or take from the access token of the requested API. */
  accessTokenScopes: AccessTokenScopeChanges;
  /** Key-level changes: a value sets the key, `null` removes it. */
  appMetadata: Record<string, JsonValue | null>;
  userMetadata: Record<string, JsonValue | null>;
}

/** No claims, no changes. */
export const NO_LOGIN_EFFECTS: LoginEffects = Object.freeze({
  idTokenClaims: {},
  accessTokenClaims: {},
  accessTokenScopes: { add: [], remove: [] },
  appMetadata: {},
  userMetadata: {},
});

/** The effects of an allowed outcome. */
export function loginEffectsOf(outcome: PostLoginOutcome): LoginEffects {
  return {
    idTokenClaims: outcome.idTokenClaims,
    accessTokenClaims: outcome.accessTokenClaims,
    accessTokenScopes: outcome.accessTokenScopes,
    appMetadata: outcome.appMetadata,
    userMetadata: outcome.userMetadata,
  };
}

/** True when the effects change the user's metadata. */
export function changesMetadata(effects: LoginEffects): boolean {
  return Object.keys(effects.appMetadata).length > 0 || Object.keys(effects.userMetadata).length > 0;
}

/**
 * The custom claims safe to put in a token: every registered name (`sub`, `acr`, `amr`, `aud`, …)
 * dropped. The `api` already refuses them when an Action sets them; issuance checks again, so
 * nothing read back from storage can overwrite what the provider computes and signs.
 */
export function customClaimsOnly(claims: Readonly<Record<string, unknown>>): JsonObject {
  const safe: JsonObject = {};
  for (const [name, value] of Object.entries(claims)) {
    if (isRegisteredClaim(name) || value === undefined) continue;
    safe[name] = value as JsonValue;
  }
  return safe;
}

/**
 * Reads effects that travelled through storage (the interaction result): anything not of the
 * expected shape is dropped rather than trusted.
 */
export function readLoginEffects(value: unknown): LoginEffects {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NO_LOGIN_EFFECTS;
  const record = value as Record<string, JsonValue>;
  const objectOf = (name: keyof LoginEffects): JsonObject => {
    const member = record[name];
    return isJsonObject(member) ? member : {};
  };
  const scopes = objectOf('accessTokenScopes');
  return {
    idTokenClaims: customClaimsOnly(objectOf('idTokenClaims')),
    accessTokenClaims: customClaimsOnly(objectOf('accessTokenClaims')),
    accessTokenScopes: { add: stringsOf(scopes.add), remove: stringsOf(scopes.remove) },
    appMetadata: withoutProto(objectOf('appMetadata')),
    userMetadata: withoutProto(objectOf('userMetadata')),
  };
}

function stringsOf(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function withoutProto(changes: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(changes).filter(([key]) => key !== '__proto__'));
}
