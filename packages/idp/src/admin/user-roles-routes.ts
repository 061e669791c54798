import { z } from 'zod';
import { ApiError } from './api-error.ts';
import { assertCallerHolds, changedScopes, scopesOfRoles } from './caller-privileges.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';
import { findUserOr404, toUserView, userIdParams, userView } from './users-routes.ts';

/**
 * `PUT /users/{id}/roles`: a person's roles, the admin role (every management scope on the dashboard)
 * among them. Its own scope (`update:roles`), a recent sign-in for people, and only roles whose
 * scopes the caller holds, given or taken (see `caller-privileges.ts`).
 */
export function registerUserRolesRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;

  routes.add({
    method: 'PUT',
    path: '/users/{id}/roles',
    summary: "Set a user's roles; the admin role only by a caller holding every management scope",
    scope: 'update:roles',
    recentAuthentication: true,
    params: userIdParams,
    body: z.strictObject({ roles: z.array(z.enum(['admin'])).max(10) }),
    response: userView,
    handler: async ({ params, body, caller, request }) => {
      const existing = await findUserOr404(deps, params.id);
      const roles = [...new Set(body.roles)];
      assertCallerHolds(caller, changedScopes(scopesOfRoles(existing.roles), scopesOfRoles(roles)));
      // The grant and its audit event are one transaction: no role without its record.
      const user = await store.userManagement.update(existing.id, { roles }, (changed) =>
        adminChange({
          type: 'admin.user.roles_changed',
          caller,
          request,
          time: deps.clock(),
          userId: changed.id,
          details: { roles: changed.roles, previous: existing.roles },
        }),
      );
      if (!user) throw new ApiError('not_found', `no user with id "${params.id}"`);
      return toUserView(user);
    },
  });
}
