import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { StepupConfig } from '../../config/config-schema.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { ActionTrigger } from '../../store/actions.ts';
import type { Store } from '../../store/store.ts';
import { ActionManagementError, type ActionManagementErrorCode } from '../action-management-error.ts';
import { showAction, toActionView, toExecutionView } from '../action-views.ts';
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
import { isAdminBearerToken } from './admin-bearer-token.ts';

/** What the admin API needs; `createServer`'s dependencies provide it. */
export interface ActionsAdminDependencies {
  config: StepupConfig;
  store: Store;
  /** The provider's `SecretBox`, which seals the Actions' secrets. */
  secretBox: SecretBox;
  logger: Logger;
  /** The sandbox for load checks and test runs; default: one worker, started on first use. */
  actionSandbox?: ActionSandbox;
}

/** Error codes of the admin API, in the one shape every error has: `{ error, error_description }`. */
type AdminErrorCode = ActionManagementErrorCode | 'unauthorized' | 'server_error';

const STATUS: Record<AdminErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  server_error: 500,
};

const nameParams = z.strictObject({ name: z.string() });
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
const patchBody = z.strictObject({ enabled: z.boolean() });
const orderBody = z.strictObject({ names: z.array(z.string()).min(1) });
const testBody = z.strictObject({ event: z.record(z.string(), z.unknown()).optional() });
const executionsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

class AdminError extends Error {
  readonly code: AdminErrorCode;

  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  throw new AdminError('invalid_request', `${where}: ${issue?.message ?? 'invalid'}`);
}

/**
 * The admin HTTP API for Actions under `/api/v1/actions`, JSON in and out:
 *
 * | method and path | does |
 * |---|---|
 * | `GET /api/v1/actions` | list, in run order |
 * | `GET /api/v1/actions/:name` | one Action: code, secret names, versions, last executions |
 * | `PUT /api/v1/actions/:name` | deploy `{ code, trigger?, secrets?, removeSecrets?, enabled? }` (a new version) |
 * | `PATCH /api/v1/actions/:name` | `{ enabled }` |
 * | `POST /api/v1/actions/:name/test` | test-run `{ event? }` against a sample login |
 * | `GET /api/v1/actions/:name/executions?limit=` | the execution log |
 * | `PUT /api/v1/actions/triggers/:trigger/order` | `{ names }`: run these first, in this order |
 *
 * Protected by a static bearer token, `actions.adminToken` (`STEPUP_ADMIN_TOKEN`), compared in
 * constant time; without one the API does not exist (404). This is a stop-gap: an OAuth-protected
 * management API (client credentials, scoped tokens) replaces it later. Secret values are accepted,
 * never returned. Errors: `{ error, error_description }` with `invalid_request` (400), `unauthorized`
 * (401), `not_found` (404), `conflict` (409), `server_error` (500).
 */
export function registerActionsAdminRoutes(app: FastifyInstance, deps: ActionsAdminDependencies): void {
  const token = deps.config.actions.adminToken;
  if (!token) return;
  const log = deps.logger.child({ component: 'actions-admin' });
  let sandbox = deps.actionSandbox;
  const manage = (): ManageActionsDependencies => {
    sandbox ??= new ActionSandbox({ workers: 1, maxStackBytes: deps.config.actions.maxStackBytes });
    return { actions: deps.store.actions, secretBox: deps.secretBox, sandbox, settings: deps.config.actions };
  };

  const sendError = (reply: FastifyReply, code: AdminErrorCode, description: string) => {
    if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="stepup-admin"');
    return reply.code(STATUS[code]).send({ error: code, error_description: description });
  };

  void app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (!isAdminBearerToken(request.headers.authorization, token)) {
          log.warn({ ip: request.ip, url: request.url }, 'admin API: missing or wrong bearer token');
          return sendError(reply, 'unauthorized', 'a valid bearer token is required');
        }
      });
      api.setErrorHandler((error: FastifyError | Error, _request, reply) => {
        if (error instanceof AdminError || error instanceof ActionManagementError) {
          return sendError(reply, error.code, error.message);
        }
        const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
        if (status >= 400 && status < 500) return sendError(reply, 'invalid_request', error.message);
        log.error({ err: error }, 'admin API failed');
        return sendError(reply, 'server_error', 'the request could not be completed');
      });
      api.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'no such resource'));
      if (!deps.actionSandbox) api.addHook('onClose', async () => sandbox?.close());

      api.get('/', async () => ({ actions: (await deps.store.actions.list()).map(toActionView) }));

      api.get('/:name', async (request) => {
        const { name } = parse(nameParams, request.params, 'path');
        return { action: await showAction(deps.store.actions, name) };
      });

      api.put('/:name', { bodyLimit: MAX_ACTION_CODE_BYTES * 2 }, async (request, reply) => {
        const { name } = parse(nameParams, request.params, 'path');
        const body = parse(deployBody, request.body, 'body');
        const { action, changed } = await deployAction(
          {
            name,
            trigger: body.trigger,
            code: body.code,
            ...(body.secrets ? { secrets: body.secrets } : {}),
            ...(body.removeSecrets ? { removeSecrets: body.removeSecrets } : {}),
            ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
          },
          manage(),
        );
        log.info({ action: name, version: action.version, changed }, 'admin API: Action deployed');
        return reply
          .code(changed && action.version === 1 ? 201 : 200)
          .send({ action: toActionView(action), changed });
      });

      api.patch('/:name', async (request) => {
        const { name } = parse(nameParams, request.params, 'path');
        const { enabled } = parse(patchBody, request.body, 'body');
        await setActionEnabled(deps.store.actions, name, enabled);
        log.info({ action: name, enabled }, 'admin API: Action switched');
        return { action: await showAction(deps.store.actions, name, 0) };
      });

      api.post('/:name/test', async (request) => {
        const { name } = parse(nameParams, request.params, 'path');
        const { event } = parse(testBody, request.body, 'body');
        return { result: await testAction(name, event, manage()) };
      });

      api.get('/:name/executions', async (request) => {
        const { name } = parse(nameParams, request.params, 'path');
        const { limit } = parse(executionsQuery, request.query, 'query');
        const action = await deps.store.actions.find(name);
        if (!action) throw new AdminError('not_found', `no Action named "${name}"`);
        return {
          executions: (await deps.store.actions.listExecutions(action.id, limit)).map(toExecutionView),
        };
      });

      api.put('/triggers/:trigger/order', async (request) => {
        const { trigger } = parse(triggerParams, request.params, 'path');
        const { names } = parse(orderBody, request.body, 'body');
        await reorderActions(deps.store.actions, trigger, names);
        log.info({ trigger, names }, 'admin API: Actions reordered');
        return { actions: (await deps.store.actions.list()).map(toActionView) };
      });
    },
    { prefix: '/api/v1/actions' },
  );
}
