import type { FindAccount } from 'oidc-provider';
import type { UserManagementRepository } from '../store/user-management.ts';

/**
 * Serves the claims oidc-provider asks for; scope filtering is oidc-provider's job. A blocked user
 * is no account at all, so their sessions, refresh tokens and userinfo stop working at once.
 */
export function createFindAccount(userManagement: Pick<UserManagementRepository, 'find'>): FindAccount {
  return async (_ctx, sub) => {
    // One read: the managed view has the claims and the blocked flag.
    const user = await userManagement.find(sub);
    if (!user || user.blocked) return undefined;
    return {
      accountId: user.id,
      claims: () => ({
        sub: user.id,
        preferred_username: user.username,
        ...(user.name ? { name: user.name } : {}),
        ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
      }),
    };
  };
}
