import { z } from 'zod';
import { hashPassword } from '../accounts/password-hashing.ts';
import { checkNewPassword, MAXIMUM_PASSWORD_LENGTH } from '../accounts/password-policy.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import { StoreConflictError } from '../store/errors.ts';
import type { ManagedUser } from '../store/user-management.ts';
import { ApiError } from './api-error.ts';
import { assertCallerCoversUser } from './caller-privileges.ts';
import { listOf, pageQuery } from './list-page.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';

/** NIST SP 800-63B 3.1.1.2: at least 8 characters; long passphrases are welcome. */
const password = z.string().min(1).max(MAXIMUM_PASSWORD_LENGTH);

/** Refuses a password the policy does not accept, naming the rule, before anything is written. */
async function assertAcceptablePassword(
  config: StepupConfig,
  candidate: string,
  account: { username: string; email: string | null },
): Promise<void> {
  const problem = await checkNewPassword(candidate, {
    minLength: config.passwords.minLength,
    accountWords: [account.username, account.email],
  });
  if (problem) {
    throw new ApiError('password_rejected', problem.message, {
      details: { field: 'password', reason: problem.code },
    });
  }
}
const metadata = z.record(z.string(), z.unknown());

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  email_verified: z.boolean(),
  blocked: z.boolean(),
  roles: z.array(z.string()),
  app_metadata: metadata,
  user_metadata: metadata,
  created_at: z.string(),
});

const createUserBody = z.strictObject({
  username: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1 to 64 letters, digits, dots, dashes or underscores'),
  password,
  email: z.email().max(254).optional(),
  name: z.string().min(1).max(200).optional(),
  app_metadata: metadata.optional(),
  user_metadata: metadata.optional(),
});

const patchUserBody = z
  .strictObject({
    name: z.string().min(1).max(200).nullable().optional(),
    email: z.email().max(254).nullable().optional(),
    blocked: z.boolean().optional(),
    app_metadata: metadata.optional(),
    user_metadata: metadata.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

export const userIdParams = z.strictObject({ id: z.string().min(1).max(128) });

export function toUserView(user: ManagedUser): z.output<typeof userView> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    email_verified: user.emailVerified,
    blocked: user.blocked,
    roles: user.roles,
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    created_at: isoTime(user.createdAt),
  };
}

/** Finds the user or answers 404. */
export async function findUserOr404(deps: ManagementDependencies, id: string): Promise<ManagedUser> {
  const user = await deps.store.userManagement.find(id);
  if (!user) throw new ApiError('not_found', `no user with id "${id}"`);
  return user;
}

const conflict = (error: unknown): never => {
  if (error instanceof StoreConflictError) {
    throw new ApiError('conflict', 'a user with that username or email already exists');
  }
  throw error;
};

/**
 * `/users`: search, create, read, change, block, delete, reset the password. Roles have their own
 * route and scope (`user-roles-routes.ts`); a person holding more than the caller is not changed here.
 */
export function registerUsersRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;

  routes.add({
    method: 'GET',
    path: '/users',
    summary: 'Search users by username, email or name',
    scope: 'read:users',
    query: pageQuery.extend({ q: z.string().max(200).optional() }),
    response: listOf(userView),
    handler: async ({ query }) => {
      const page = await store.userManagement.search(query.q, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.users.map(toUserView), next_cursor: page.nextCursor };
    },
  });

  routes.add({
    method: 'POST',
    path: '/users',
    summary: 'Create a user who signs in with a password',
    scope: 'create:users',
    body: createUserBody,
    response: userView,
    status: 201,
    handler: async ({ body, caller, request }) => {
      await assertAcceptablePassword(deps.config, body.password, {
        username: body.username,
        email: body.email ?? null,
      });
      // The user, their metadata and the audit event are one transaction: no account without its event.
      const user = await store.userManagement
        .create(
          {
            username: body.username,
            email: body.email ?? null,
            name: body.name ?? null,
            passwordHash: await hashPassword(body.password),
            now: deps.clock(),
            ...(body.app_metadata ? { appMetadata: body.app_metadata } : {}),
            ...(body.user_metadata ? { userMetadata: body.user_metadata } : {}),
          },
          (created) =>
            adminChange({
              type: 'admin.user.created',
              caller,
              request,
              time: deps.clock(),
              userId: created.id,
              details: { username: created.username },
            }),
        )
        .catch(conflict);
      return toUserView(user);
    },
  });

  routes.add({
    method: 'GET',
    path: '/users/{id}',
    summary: 'Read a user',
    scope: 'read:users',
    params: userIdParams,
    response: userView,
    handler: async ({ params }) => toUserView(await findUserOr404(deps, params.id)),
  });

  routes.add({
    method: 'PATCH',
    path: '/users/{id}',
    summary: 'Change a user: name, email, metadata, or block them (which also ends their sessions)',
    scope: 'update:users',
    params: userIdParams,
    body: patchUserBody,
    response: userView,
    handler: async ({ params, body, caller, request }) => {
      assertCallerCoversUser(caller, await findUserOr404(deps, params.id));
      // The change, the end of a blocked person's sessions and tokens, and the audit event are one
      // transaction: a block is never half done, nor done without its record.
      const user = await store.userManagement
        .update(
          params.id,
          {
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.email === undefined ? {} : { email: body.email }),
            ...(body.blocked === undefined ? {} : { blocked: body.blocked }),
            ...(body.app_metadata === undefined ? {} : { appMetadata: body.app_metadata }),
            ...(body.user_metadata === undefined ? {} : { userMetadata: body.user_metadata }),
          },
          (changed) =>
            adminChange({
              type: body.blocked === true ? 'admin.user.blocked' : 'admin.user.updated',
              caller,
              request,
              time: deps.clock(),
              userId: changed.id,
              details: { changed: Object.keys(body).sort() },
            }),
        )
        .catch(conflict);
      if (!user) throw new ApiError('not_found', `no user with id "${params.id}"`);
      return toUserView(user);
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/users/{id}',
    summary: 'Delete a user with their factors, sessions and tokens',
    scope: 'delete:users',
    recentAuthentication: true,
    params: userIdParams,
    handler: async ({ params, caller, request }) => {
      const user = await findUserOr404(deps, params.id);
      assertCallerCoversUser(caller, user);
      // The user, their sessions and the audit event go in one transaction.
      const removed = await store.userManagement.remove(
        user.id,
        adminChange({
          type: 'admin.user.deleted',
          caller,
          request,
          time: deps.clock(),
          userId: user.id,
          details: { username: user.username },
        }),
      );
      if (!removed) throw new ApiError('not_found', `no user with id "${params.id}"`);
    },
  });

  routes.add({
    method: 'PUT',
    path: '/users/{id}/password',
    summary: "Set a user's password",
    scope: 'update:users',
    recentAuthentication: true,
    params: userIdParams,
    body: z.strictObject({ password }),
    handler: async ({ params, body, caller, request }) => {
      const user = await findUserOr404(deps, params.id);
      assertCallerCoversUser(caller, user);
      await assertAcceptablePassword(deps.config, body.password, user);
      // The new password and its audit event are one transaction: no reset goes unrecorded.
      const reset = await store.userManagement.setPassword(
        user.id,
        await hashPassword(body.password),
        adminChange({
          type: 'admin.user.password_reset',
          caller,
          request,
          time: deps.clock(),
          userId: user.id,
          details: {},
        }),
      );
      if (!reset) throw new ApiError('not_found', `no user with id "${params.id}"`);
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/users/{id}/sessions',
    summary: "End a user's browser sessions and revoke their refresh tokens",
    scope: 'update:users',
    recentAuthentication: true,
    params: userIdParams,
    handler: async ({ params, caller, request }) => {
      const user = await findUserOr404(deps, params.id);
      // Ending an operator's sessions, again and again, would lock them out of the dashboard.
      assertCallerCoversUser(caller, user);
      // The end of the sessions and its audit event are one transaction.
      await store.userManagement.revokeSessions(user.id, (revoked) =>
        adminChange({
          type: 'admin.user.sessions_revoked',
          caller,
          request,
          time: deps.clock(),
          userId: user.id,
          details: { revoked },
        }),
      );
    },
  });
}
