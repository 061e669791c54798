import { z } from 'zod';
import { clearSignInLocks, readSignInLocks } from '../throttle/sign-in-locks.ts';
import { assertCallerCoversUser } from './caller-privileges.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';
import { findUserOr404, userIdParams } from './users-routes.ts';

const failuresView = z.object({ consecutive_failures: z.number().int(), locked: z.boolean() });

/**
 * `/users/{id}/sign-in-lock`: a user's consecutive failed passwords and wrong second-factor codes, and
 * clearing them. After `throttling.accountLockFailures` failed passwords only browsers the user signed
 * in from before may try; after `throttling.secondFactor.lockFailures` wrong codes no code is taken
 * (push and security keys still are) until a second factor succeeds or an operator clears the lock.
 */
export function registerUserSignInLockRoutes(deps: ManagementDependencies): void {
  const { routes, store, config } = deps;

  routes.add({
    method: 'GET',
    path: '/users/{id}/sign-in-lock',
    summary: "A user's consecutive failed passwords and wrong codes, and whether they locked sign-in",
    scope: 'read:users',
    params: userIdParams,
    response: z.object({ password: failuresView, codes: failuresView }),
    handler: async ({ params }) => {
      const user = await findUserOr404(deps, params.id);
      const locks = await readSignInLocks(store, config, user.id, deps.clock());
      return {
        password: { consecutive_failures: locks.password.failures, locked: locks.password.locked },
        codes: { consecutive_failures: locks.codes.failures, locked: locks.codes.locked },
      };
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/users/{id}/sign-in-lock',
    summary: "Clear a user's consecutive failed passwords and wrong codes, lifting their locks",
    scope: 'update:users',
    // Lifting a lock gives whoever is guessing another hundred tries: a privileged change.
    recentAuthentication: true,
    params: userIdParams,
    handler: async ({ params, caller, request }) => {
      const user = await findUserOr404(deps, params.id);
      assertCallerCoversUser(caller, user);
      const now = deps.clock();
      const before = await readSignInLocks(store, config, user.id, now);
      // The cleared counters and the audit event are one transaction.
      await clearSignInLocks(
        store,
        config,
        user.id,
        adminChange({
          type: 'admin.user.sign_in_lock_cleared',
          caller,
          request,
          time: now,
          userId: user.id,
          details: {
            password_failures: before.password.failures,
            code_failures: before.codes.failures,
          },
        }),
      );
    },
  });
}
