import { ADMIN_ROLE } from '../store/user-management.ts';
import { ApiError } from './api-error.ts';
import { clientScopesFor } from './client-api-scopes.ts';
import { MANAGEMENT_SCOPES } from './management-api-identity.ts';
import type { ManagementCaller } from './verify-management-token.ts';

/**
 * The privilege model of the management API, in one rule: a caller never gives, takes or acts with
 * management scopes it does not hold itself. Granting scopes to a client (itself included) is limited
 * to scopes the caller holds; a role grants the scopes it stands for (the admin role: every one), so
 * changing roles is limited the same way; and changing a client or a person who holds more than the
 * caller (their secret, redirects, password, factors, email) is refused, as it would hand the caller
 * their privileges. Keycloak's fine-grained admin permissions ("map roles" only for roles you hold)
 * and Auth0's client grants are the models.
 */

/** The management scopes a person with these roles holds on the dashboard. */
export function scopesOfRoles(roles: readonly string[]): string[] {
  return roles.includes(ADMIN_ROLE) ? [...MANAGEMENT_SCOPES] : [];
}

/** Refuses with 403 `scope_not_held`, naming the scopes, unless the caller holds every one. */
export function assertCallerHolds(caller: ManagementCaller, scopes: Iterable<string>): void {
  const missing = [...new Set(scopes)].filter((scope) => !caller.scopes.has(scope)).sort();
  if (missing.length > 0) {
    throw new ApiError('scope_not_held', 'this change involves management scopes you do not hold', {
      details: { scopes: missing },
    });
  }
}

/** Refuses a change to a person who holds management scopes the caller does not. */
export function assertCallerCoversUser(caller: ManagementCaller, user: { roles: readonly string[] }): void {
  assertCallerHolds(caller, scopesOfRoles(user.roles));
}

/** Refuses a change to a client that may be granted management scopes the caller does not hold. */
export function assertCallerCoversClient(
  caller: ManagementCaller,
  metadata: Record<string, unknown>,
  managementApi: string,
): void {
  assertCallerHolds(caller, clientScopesFor(metadata, managementApi));
}

/** The scopes in one list and not the other: what a change from `before` to `after` gives or takes. */
export function changedScopes(before: readonly string[], after: readonly string[]): string[] {
  return [
    ...before.filter((scope) => !after.includes(scope)),
    ...after.filter((scope) => !before.includes(scope)),
  ];
}
