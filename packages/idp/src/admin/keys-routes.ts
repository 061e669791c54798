import { z } from 'zod';
import { longestTokenLifetime } from '../oidc/longest-token-lifetime.ts';
import {
  keyActivationDelay,
  listSigningKeys,
  rotateSigningKeys,
  type SigningKeyInfo,
} from '../oidc/signing-key-rotation.ts';
import { listOf } from './list-page.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';

const keyView = z.object({
  kid: z.string(),
  alg: z.string(),
  use: z.literal('sig'),
  status: z.enum(['current', 'next', 'previous']),
  activates_at: z.string().nullable(),
  retires_at: z.string().nullable(),
});

function toKeyView(key: SigningKeyInfo): z.output<typeof keyView> {
  return {
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
    status: key.status,
    activates_at: key.activatesAt === null ? null : isoTime(key.activatesAt),
    retires_at: key.retiresAt === null ? null : isoTime(key.retiresAt),
  };
}

/** `/keys`: the signing keys (public facts only) and their rotation. */
export function registerKeysRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;

  routes.add({
    method: 'GET',
    path: '/keys',
    summary: 'List the signing keys (no key material)',
    scope: 'read:keys',
    response: listOf(keyView),
    handler: async () => ({
      items: (await listSigningKeys(store.keys, deps.clock())).map(toKeyView),
      next_cursor: null,
    }),
  });

  routes.add({
    method: 'POST',
    path: '/keys/rotate',
    summary:
      'Generate new signing keys: published at once, they start signing on every node together at `activates_at`, once every node serves them; the old keys sign until then and stay published until the tokens they signed have expired',
    scope: 'update:keys',
    recentAuthentication: true,
    response: listOf(keyView).extend({ activates_at: z.string(), restart_required: z.boolean() }),
    handler: async ({ caller, request }) => {
      const now = deps.clock();
      // The new keys and the audit event are one transaction.
      const { keys, activatesAt } = await rotateSigningKeys(
        store.keys,
        now,
        {
          activationDelay: keyActivationDelay(deps.config.admin.changeCheckSeconds),
          maxTokenLifetime: await longestTokenLifetime(deps.config, store.resourceServers),
        },
        (rotation) =>
          adminChange({
            type: 'admin.keys.rotated',
            caller,
            request,
            time: now,
            details: {
              next: rotation.keys.filter((key) => key.status === 'next').map((key) => key.kid),
              activates_at: isoTime(rotation.activatesAt),
              retiring: rotation.keys.filter((key) => key.retiresAt !== null).map((key) => key.kid),
            },
          }),
      );
      // This node publishes the new keys before answering; the others on the notice or their check.
      await deps.applyChanges();
      return {
        items: keys.map(toKeyView),
        next_cursor: null,
        activates_at: isoTime(activatesAt),
        restart_required: false,
      };
    },
  });
}
