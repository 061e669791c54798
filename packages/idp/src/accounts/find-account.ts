import type { FindAccount } from 'oidc-provider';
import type { UserManagementRepository } from '../store/user-management.ts';
import type { UsersRepository } from '../store/users.ts';

/**
 * Serves the claims oidc-provider asks for; scope filtering is oidc-provider's job. A blocked user
 * is no account at all, so their sessions, refresh tokens and userinfo stop working at once.
 */
export function createFindAccount(
  users: UsersRepository,
  userManagement: UserManagementRepository,
): FindAccount {
  return async (_ctx, sub) => {
    const user = await users.findById(sub);
    if (!user || (await userManagement.find(sub))?.blocked) return undefined;
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
