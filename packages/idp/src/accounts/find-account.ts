import type { FindAccount } from 'oidc-provider';
import type { UsersRepository } from '../store/users.ts';

/** Serves the claims oidc-provider asks for; scope filtering is oidc-provider's job. */
export function createFindAccount(users: UsersRepository): FindAccount {
  return async (_ctx, sub) => {
    const user = await users.findById(sub);
    if (!user) return undefined;
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
