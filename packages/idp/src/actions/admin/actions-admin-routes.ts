import { z } from 'zod';
import { ApiError } from '../../admin/api-error.ts';
import type { ManagementDependencies } from '../../admin/management-dependencies.ts';
import { adminChange } from '../../admin/record-admin-change.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { ActionTrigger } from '../../store/actions.ts';
import { showAction, toActionView, toExecutionView } from '../action-views.ts';
import { deleteAction } from '../delete-action.ts';
import {
  ACTION_TRIGGERS,
  deployAction,
  MAX_ACTION_CODE_BYTES,
  type ManageActionsDependencies,
} from '../deploy-action.ts';
import { reorderActions } from '../reorder-actions.ts';
import { ActionSandbox } from '../sandbox/action-sandbox.ts';
import { setActionEnabled } from '../set-action-enabled.ts';
import { testAction } from '../test-action.ts';

/** What the Actions resource needs besides the management API's own dependencies. */
export interface ActionsAdminDependencies extends ManagementDependencies {
  /** The provider's `SecretBox`, which seals the Actions' secrets. */
  secretBox: SecretBox;
  /** The sandbox for load checks and test runs; default: one worker, started on first use. */
  actionSandbox?: ActionSandbox;
}

const nameParams = z.strictObject({ name: z.string().min(1).max(200) });
const triggerParams = z.strictObject({
  trigger: z.enum(ACTION_TRIGGERS as [ActionTrigger, ...ActionTrigger[]]),
});
const deployBody = z.strictObject({
  trigger: z.string().default('post-login'),
  code: z.string(),
  secrets: z.record(z.string(), z.string()).optional(),
  removeSecrets: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
});
const executionsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

/**
 * The Actions resource of the management API, under `/api/v1/actions`: list (`read:actions`), show,
 * deploy a new version, switch on or off and set the run order (`update:actions`, a recent sign-in
 * for people: an Action is code that runs on every login), test-run against a sample login, the
 * execution log, and deletion (`delete:actions`, a recent sign-in for people). Secret values are accepted, never
 * returned. Returns a function that stops the sandbox it started, if any.
 */
export function registerActionsAdminRoutes(deps: ActionsAdminDependencies): () => Promise<void> {
  const { routes, store } = deps;
  let sandbox = deps.actionSandbox;
  const manage = (): ManageActionsDependencies => {
    sandbox ??= new ActionSandbox({ workers: 1, maxStackBytes: deps.config.actions.maxStackBytes });
    return { actions: store.actions, secretBox: deps.secretBox, sandbox, settings: deps.config.actions };
  };
  // Each change is written in one transaction with its audit event: no Action changes unrecorded.
  // Then the other nodes are told (`applyChanges`): they keep the enabled Actions in memory.
  const change = (
    type: `admin.${string}`,
    call: Parameters<Parameters<typeof routes.add>[0]['handler']>[0],
    details: Record<string, unknown>,
  ) => adminChange({ type, caller: call.caller, request: call.request, time: deps.clock(), details });
  const switched = (enabled: boolean) => (enabled ? 'admin.action.enabled' : 'admin.action.disabled');

  routes.add({
    method: 'GET',
    path: '/actions',
    summary: 'List Actions, in run order',
    scope: 'read:actions',
    handler: async () => ({ items: (await store.actions.list()).map(toActionView), next_cursor: null }),
  });

  routes.add({
    method: 'GET',
    path: '/actions/{name}',
    summary: 'One Action: code, secret names, versions, last executions',
    scope: 'read:actions',
    params: nameParams,
    handler: async ({ params }) => ({ action: await showAction(store.actions, params.name) }),
  });

  routes.add({
    method: 'PUT',
    path: '/actions/{name}',
    summary:
      'Deploy an Action (a new version when the code, secrets or trigger changed); `enabled`, when given, switches it on or off',
    scope: 'update:actions',
    recentAuthentication: true,
    params: nameParams,
    body: deployBody,
    bodyLimit: MAX_ACTION_CODE_BYTES * 2,
    handler: async (call) => {
      const { params, body, reply } = call;
      const { action, changed } = await deployAction(
        {
          name: params.name,
          trigger: body.trigger,
          code: body.code,
          ...(body.secrets ? { secrets: body.secrets } : {}),
          ...(body.removeSecrets ? { removeSecrets: body.removeSecrets } : {}),
          ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        },
        manage(),
        (planned) => [
          ...(planned.version === undefined
            ? []
            : [change('admin.action.deployed', call, { name: params.name, version: planned.version })]),
          ...(planned.enabled === undefined
            ? []
            : [change(switched(planned.enabled), call, { name: params.name })]),
        ],
      );
      if (changed) await deps.applyChanges();
      return reply
        .code(changed && action.version === 1 ? 201 : 200)
        .send({ action: toActionView(action), changed });
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/actions/{name}',
    summary: 'Delete an Action with its versions, secrets and execution log',
    scope: 'delete:actions',
    recentAuthentication: true,
    params: nameParams,
    handler: async (call) => {
      await deleteAction(store.actions, call.params.name, (removed) =>
        change('admin.action.deleted', call, {
          name: removed.name,
          version: removed.version,
          trigger: removed.trigger,
        }),
      );
      await deps.applyChanges();
    },
  });

  routes.add({
    method: 'PATCH',
    path: '/actions/{name}',
    summary: 'Switch an Action on or off',
    scope: 'update:actions',
    recentAuthentication: true,
    params: nameParams,
    body: z.strictObject({ enabled: z.boolean() }),
    handler: async (call) => {
      const { name } = call.params;
      await setActionEnabled(
        store.actions,
        name,
        call.body.enabled,
        deps.clock(),
        change(switched(call.body.enabled), call, { name }),
      );
      await deps.applyChanges();
      return { action: await showAction(store.actions, call.params.name, 0) };
    },
  });

  routes.add({
    method: 'POST',
    path: '/actions/{name}/test',
    summary: 'Test-run an Action against a sample login; changes nothing',
    scope: 'read:actions',
    params: nameParams,
    body: z.strictObject({ event: z.record(z.string(), z.unknown()).optional() }).default({}),
    handler: async ({ params, body }) => ({ result: await testAction(params.name, body.event, manage()) }),
  });

  routes.add({
    method: 'GET',
    path: '/actions/{name}/executions',
    summary: "An Action's execution log, newest first",
    scope: 'read:actions',
    params: nameParams,
    query: executionsQuery,
    handler: async ({ params, query }) => {
      const action = await store.actions.find(params.name);
      if (!action) throw new ApiError('not_found', `no Action named "${params.name}"`);
      return {
        items: (await store.actions.listExecutions(action.id, query.limit)).map(toExecutionView),
        next_cursor: null,
      };
    },
  });

  routes.add({
    method: 'PUT',
    path: '/actions/triggers/{trigger}/order',
    summary: 'Run these Actions of a trigger first, in this order',
    scope: 'update:actions',
    recentAuthentication: true,
    params: triggerParams,
    body: z.strictObject({ names: z.array(z.string()).min(1) }),
    handler: async (call) => {
      const { trigger } = call.params;
      const { names } = call.body;
      await reorderActions(
        store.actions,
        trigger,
        names,
        deps.clock(),
        change('admin.action.reordered', call, { trigger, names }),
      );
      await deps.applyChanges();
      return { items: (await store.actions.list()).map(toActionView), next_cursor: null };
    },
  });

  return async () => {
    if (!deps.actionSandbox) await sandbox?.close();
  };
}
