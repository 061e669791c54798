import { z } from 'zod';
import type { NewAuditEvent } from '../store/audit-events.ts';
import { ApiError } from './api-error.ts';
import { assertCallerCoversUser } from './caller-privileges.ts';
import { listOf } from './list-page.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';
import { findUserOr404, userIdParams } from './users-routes.ts';

const factorView = z.object({
  id: z.string(),
  type: z.enum(['totp', 'webauthn', 'push', 'recovery_codes']),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  remaining: z.number().int().optional(),
});

type FactorView = z.output<typeof factorView>;

/** Factor ids on the wire carry their kind, as each kind lives in its own repository. */
const removableFactorId = z.string().regex(/^(totp|webauthn|push):[^:]{1,200}$/);

/** `/users/{id}/factors`: every second factor of a user, and removing one. */
export function registerUserFactorsRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;

  routes.add({
    method: 'GET',
    path: '/users/{id}/factors',
    summary:
      "A user's second factors: authenticator apps, security keys and passkeys, push devices, recovery codes",
    scope: 'read:users',
    params: userIdParams,
    response: listOf(factorView),
    handler: async ({ params }) => {
      const user = await findUserOr404(deps, params.id);
      const items: FactorView[] = [];
      for (const factor of await store.factors.listForUser(user.id)) {
        items.push(view(`totp:${factor.id}`, 'totp', factor.name, factor.createdAt, factor.lastUsedAt));
      }
      for (const credential of await store.webauthnCredentials.listForUser(user.id)) {
        items.push(
          view(
            `webauthn:${credential.id}`,
            'webauthn',
            credential.name,
            credential.createdAt,
            credential.lastUsedAt,
          ),
        );
      }
      for (const device of await store.pushDevices.listForUser(user.id)) {
        if (device.revokedAt !== null) continue;
        items.push(view(`push:${device.id}`, 'push', device.name, device.createdAt, device.lastUsedAt));
      }
      const recovery = await store.recoveryCodes.summary(user.id);
      if (recovery) {
        items.push({
          ...view(
            'recovery_codes',
            'recovery_codes',
            'Recovery codes',
            recovery.issuedAt,
            recovery.lastUsedAt,
          ),
          remaining: recovery.remaining,
        });
      }
      return { items, next_cursor: null };
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/users/{id}/factors/{factorId}',
    summary: "Remove one of a user's second factors",
    scope: 'update:users',
    recentAuthentication: true,
    params: z.strictObject({ id: userIdParams.shape.id, factorId: removableFactorId }),
    handler: async ({ params, caller, request }) => {
      const user = await findUserOr404(deps, params.id);
      assertCallerCoversUser(caller, user);
      const separator = params.factorId.indexOf(':');
      const type = params.factorId.slice(0, separator);
      const id = params.factorId.slice(separator + 1);
      // The removal and its audit event are one transaction.
      const removed = await removeFactor(
        deps,
        user.id,
        type,
        id,
        adminChange({
          type: 'admin.user.factor_removed',
          caller,
          request,
          time: deps.clock(),
          userId: user.id,
          details: { factor: type, factor_id: params.factorId },
        }),
      );
      if (!removed) throw new ApiError('not_found', `user has no factor "${params.factorId}"`);
    },
  });
}

async function removeFactor(
  deps: ManagementDependencies,
  userId: string,
  type: string,
  id: string,
  auditEvent: NewAuditEvent,
): Promise<boolean> {
  const { store } = deps;
  // Each lookup checks the owner: a factor id of another user is "not found", never removed.
  if (type === 'totp') {
    const factor = await store.factors.findById(id);
    return factor?.userId === userId && (await store.factors.remove(id, auditEvent));
  }
  if (type === 'webauthn') {
    const credential = await store.webauthnCredentials.findById(id);
    return credential?.userId === userId && (await store.webauthnCredentials.remove(id, auditEvent));
  }
  const device = await store.pushDevices.findById(id);
  return (
    device?.userId === userId &&
    device.revokedAt === null &&
    (await store.pushDevices.revoke(id, deps.clock(), auditEvent))
  );
}

function view(
  id: string,
  type: FactorView['type'],
  name: string,
  createdAt: number,
  lastUsedAt: number | null,
): FactorView {
  return {
    id,
    type,
    name,
    created_at: isoTime(createdAt),
    last_used_at: lastUsedAt === null ? null : isoTime(lastUsedAt),
  };
}
