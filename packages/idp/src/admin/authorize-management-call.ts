import { type AcrLadder, formatBearerChallenge, INSUFFICIENT_USER_AUTHENTICATION } from '@stepup/core';
import type { Store } from '../store/store.ts';
import { ADMIN_ROLE } from '../store/user-management.ts';
import { ApiError } from './api-error.ts';
import type { ManagementScope } from './management-api-identity.ts';
import type { ManagementCaller, ManagementTokenVerifier } from './verify-management-token.ts';

/** What one route requires of its caller. */
export interface CallRequirement {
  scope: ManagementScope;
  /**
   * A privileged change (deleting, a credential or a privilege, keys, Actions, settings): a person's
   * authentication must be no older than `admin.freshAuthSeconds`. Machine clients have no person to
   * re-authenticate and are exempt.
   */
  recentAuthentication?: boolean;
}

export interface AuthorizeDependencies {
  verifyToken: ManagementTokenVerifier;
  store: Pick<Store, 'clients' | 'userManagement'>;
  ladder: AcrLadder;
  /** The running `admin` settings, read at each call: an operator may change the period at runtime. */
  admin: { readonly freshAuthSeconds: number };
  clock: () => number;
}

/**
 * Decides whether a call may proceed, in order: a valid token (401 `invalid_token`), the route's
 * scope (403 `missing_scope`), for a person the admin role (403 `not_admin`) and a multi-factor
 * authentication (401 `insufficient_user_authentication`), and for privileged changes a recent one
 * (401 with `max_age`). A machine client must still be registered. Resolves the caller.
 */
export function createCallAuthorizer(deps: AuthorizeDependencies) {
  const multiFactorAcr = deps.ladder.levels.find((level) => level.factors >= 2)?.acr;
  if (!multiFactorAcr) throw new TypeError('the acr ladder has no multi-factor level');

  const stepUp = (description: string, maxAge?: number) =>
    new ApiError(INSUFFICIENT_USER_AUTHENTICATION, description, {
      details: { acr_values: multiFactorAcr, ...(maxAge === undefined ? {} : { max_age: maxAge }) },
      challenge: formatBearerChallenge({
        error: INSUFFICIENT_USER_AUTHENTICATION,
        error_description: description,
        acr_values: multiFactorAcr,
        ...(maxAge === undefined ? {} : { max_age: maxAge }),
      }),
    });

  return async (
    authorization: string | undefined,
    requirement: CallRequirement,
  ): Promise<ManagementCaller> => {
    const caller = await deps.verifyToken(authorization);
    if (caller.type === 'client' && !(await deps.store.clients.find(caller.clientId))) {
      throw new ApiError('invalid_token', 'the client this token was issued to is no longer registered', {
        challenge: 'Bearer realm="stepup-management", error="invalid_token"',
      });
    }
    if (!caller.scopes.has(requirement.scope)) {
      throw new ApiError('missing_scope', `this call needs the scope "${requirement.scope}"`, {
        details: { scope: requirement.scope },
        challenge: formatBearerChallenge({
          realm: 'stepup-management',
          error: 'insufficient_scope',
          scope: requirement.scope,
        }),
      });
    }
    if (caller.type === 'client') return caller;

    const user = await deps.store.userManagement.find(caller.userId);
    if (!user || user.blocked || !user.roles.includes(ADMIN_ROLE)) {
      throw new ApiError('not_admin', 'only operators with the admin role may use the management API');
    }
    // Every dashboard session is multi-factor (compared by rank on the ladder, never by string).
    if (!caller.acr || !deps.ladder.meets(caller.acr, multiFactorAcr)) {
      throw stepUp('sign in with a second factor to use the management API');
    }
    const { freshAuthSeconds } = deps.admin;
    if (requirement.recentAuthentication && deps.clock() - caller.authTime > freshAuthSeconds) {
      throw stepUp('this operation needs a recent sign-in: authenticate again', freshAuthSeconds);
    }
    return caller;
  };
}

export type CallAuthorizer = ReturnType<typeof createCallAuthorizer>;
