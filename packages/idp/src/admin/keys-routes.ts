import { z } from 'zod';
import { longestTokenLifetime } from '../oidc/longest-token-lifetime.ts';
import { listSigningKeys, rotateSigningKeys, type SigningKeyInfo } from '../oidc/signing-key-rotation.ts';
import { listOf } from './list-page.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { recordAdminChange } from './record-admin-change.ts';

const keyView = z.object({
  kid: z.string(),
  alg: z.string(),
  use: z.literal('sig'),
  status: z.enum(['current', 'previous']),
  retires_at: z.string().nullable(),
});

function toKeyView(key: SigningKeyInfo): z.output<typeof keyView> {
  return {
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
    status: key.status,
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
      'Generate new signing keys; they sign at once on every node, and the old keys stay published until the tokens they signed have expired',
    scope: 'update:keys',
    destructive: true,
    response: listOf(keyView).extend({ restart_required: z.boolean() }),
    handler: async ({ caller, request }) => {
      const now = deps.clock();
      const keys = await rotateSigningKeys(
        store.keys,
        now,
        await longestTokenLifetime(deps.config, store.resourceServers),
      );
      // This node signs with the new keys before answering; the others follow on the notice or their check.
      await deps.applyChanges();
      await recordAdminChange(store.auditEvents, {
        type: 'admin.keys.rotated',
        caller,
        request,
        time: now,
        details: {
          current: keys.filter((key) => key.status === 'current').map((key) => key.kid),
          retiring: keys.filter((key) => key.status === 'previous').map((key) => key.kid),
        },
      });
      return { items: keys.map(toKeyView), next_cursor: null, restart_required: false };
    },
  });
}
