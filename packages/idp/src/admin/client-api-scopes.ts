import { ALLOWED_SCOPES_METADATA } from './management-api-identity.ts';

/** The scopes a client may be granted, per API resource indicator. */
export type ClientApiScopes = Record<string, string[]>;

/** True for `{ "<resource>": ["scope", …] }`: the one shape `stepup_allowed_scopes` may have. */
export function isClientApiScopes(value: unknown): value is ClientApiScopes {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (scopes) => Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'),
    )
  );
}

/** A client's grants, per API; a registration without (or with a malformed) allow-list has none. */
export function clientApiScopes(metadata: Record<string, unknown>): ClientApiScopes {
  const value = metadata[ALLOWED_SCOPES_METADATA];
  return isClientApiScopes(value) ? value : {};
}

/** The scopes a client may be granted for one API: none unless granted for that very API. */
export function clientScopesFor(metadata: Record<string, unknown>, resource: string): string[] {
  return clientApiScopes(metadata)[resource] ?? [];
}

/**
 * The flat scope list a client stored before per-API grants (issue 13), or undefined. Such a client
 * has no grants now (fail closed) until an operator grants its scopes per API again.
 */
export function legacyClientScopes(metadata: Record<string, unknown>): string[] | undefined {
  const value = metadata[ALLOWED_SCOPES_METADATA];
  return Array.isArray(value) && value.every((scope) => typeof scope === 'string') ? value : undefined;
}
