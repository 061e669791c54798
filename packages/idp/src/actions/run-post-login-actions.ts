import type { Logger } from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { ActionsRepository, DeployedAction } from '../store/actions.ts';
import type { ActionErrorCode, ActionFailure } from './action-error-codes.ts';
import { maskSecrets, maskSecretsDeep, openActionSecrets } from './action-secrets.ts';
import type { ActionCache } from './cache/action-cache.ts';
import type { CacheRecord } from './cache/cache-limits.ts';
import type { JsonObject, JsonValue } from './json-value.ts';
import type { RecordedApiCall } from './post-login-api.ts';
import { buildPostLoginEvent, type PostLoginInput } from './post-login-event.ts';
import {
  type ActionExecutionOutcome,
  type ActionExecutionSummary,
  applyCalls,
  emptyEffects,
  mergeMultifactor,
  type PausedActions,
  type PostLoginDenyCode,
  type PostLoginEffects,
  type PostLoginOutcome,
  summarizeCall,
} from './post-login-outcome.ts';
import type { ActionSandbox } from './sandbox/action-sandbox.ts';
import type { SandboxLimits } from './sandbox/sandbox-protocol.ts';

/** The sandbox limits and the execution log size, as `actions.*` in the configuration holds them. */
export type ActionSettings = Pick<
  StepupConfig['actions'],
  'timeoutMs' | 'memoryLimitBytes' | 'maxStackBytes' | 'logLimitBytes' | 'executionLogSize'
>;

/** What `runPostLoginActions` needs; one `ActionSandbox` per process, shared by every login. */
export interface PostLoginActionsDependencies {
  actions: ActionsRepository;
  /** The provider's `SecretBox` (`loadProviderKeys`), which sealed the Actions' secrets. */
  secretBox: SecretBox;
  sandbox: ActionSandbox;
  logger: Logger;
  settings: ActionSettings;
  /** `api.cache`; absent, every Action starts with an empty cache and its writes are dropped. */
  cache?: ActionCache;
  /** Epoch milliseconds; tests pass their own. */
  now?: () => number;
}

/** Shown to the user when an Action failed: what happened, never the script's internals. */
export const ACTION_FAILED_REASON =
  'Sign-in was stopped because a login rule could not be completed. Try again later or contact the administrator.';

/** The limits of one execution, from the settings. */
export function sandboxLimits(settings: ActionSettings): SandboxLimits {
  return {
    timeoutMs: settings.timeoutMs,
    memoryLimitBytes: settings.memoryLimitBytes,
    maxStackBytes: settings.maxStackBytes,
    logLimitBytes: settings.logLimitBytes,
  };
}

/**
 * Runs the enabled post-login Actions in the operator's order, each in its own sandbox with its own
 * secrets and a fresh copy of the event, and merges what they asked for into one outcome.
 *
 * Fail closed (ARCHITECTURE.md, invariant 6): any failed execution — a throw, a timeout, a memory or
 * log blow-up, an invalid `api` call — and a store that can not list the Actions make the outcome a
 * `deny` with a stable `code`; the Actions after it do not run. `api.access.deny` denies with
 * `access_denied` and the Action's reason. A denied outcome carries no claims, challenges or
 * metadata updates. An Action's `api.redirect.sendUserTo` (possible only with `login.redirect`)
 * makes it a `redirect`: the Actions after it wait for `continuePostLoginActions`. Never rejects.
 *
 * Each execution is written to the execution log (newest `executionLogSize` per Action) and to the
 * log, with the Action's secrets masked in its console output and error detail.
 *
 * @example
 * const outcome = await runPostLoginActions(input, { actions: store.actions, secretBox, sandbox, logger, settings: config.actions });
 * if (outcome.decision === 'deny') return renderErrorPage(outcome.reason);
 * if (outcome.multifactor && outcome.multifactor.provider !== 'none') requireSecondFactor(outcome.multifactor);
 */
export async function runPostLoginActions(
  input: PostLoginInput,
  deps: PostLoginActionsDependencies,
  login: LoginSupport = {},
): Promise<PostLoginOutcome> {
  const log = deps.logger.child({ component: 'actions' });
  const actions = await loadEnabledActions(deps, log);
  if (!actions) return denied('actions_unavailable', ACTION_FAILED_REASON, []);
  const state: PipelineState = { input, effects: emptyEffects(), calls: [], executions: [] };
  return runPipeline(actions, state, deps, log, login);
}

/**
 * Resumes the Actions of a login whose browser came back to `/continue` (`state` already checked
 * by the caller): `onContinuePostLogin` of the Action that redirected — the same version, or the
 * login fails — with the calls made before the redirect in force, then the Actions after it, in
 * the operator's order. Any of those may redirect again (with `redirect.state`, a fresh one).
 * Never rejects.
 */
export async function continuePostLoginActions(
  input: PostLoginInput,
  paused: PausedActions,
  continued: { state: string; params: Readonly<Record<string, string>> },
  deps: PostLoginActionsDependencies,
  login: LoginSupport,
): Promise<PostLoginOutcome> {
  const log = deps.logger.child({ component: 'actions' });
  const actions = await loadEnabledActions(deps, log);
  if (!actions) return denied('actions_unavailable', ACTION_FAILED_REASON, []);
  const position = actions.findIndex((action) => action.id === paused.actionId);
  const action = actions[position];
  if (!action || action.version !== paused.version) {
    // Redeployed, disabled or deleted while the browser was away: the code that would resume is
    // not the code that redirected.
    log.warn({ actionId: paused.actionId }, 'the Action that redirected changed before /continue');
    return denied('action_invalid', ACTION_FAILED_REASON, []);
  }
  const effects = emptyEffects();
  applyCalls(effects, paused.calls);
  const state: PipelineState = {
    input: withMetadata(input, effects),
    effects,
    calls: [...paused.calls],
    executions: [],
  };
  const outcome = await step(action, state, deps, log, {
    entry: 'onContinuePostLogin',
    continueParams: continued.params,
    ...(login.redirect ? { binding: { issuer: login.redirect.issuer, state: continued.state } } : {}),
    grantableScopes: login.grantableScopes ?? [],
  });
  if (outcome) return outcome;
  return runPipeline(actions.slice(position + 1), state, deps, log, login);
}

/** What the Actions of one login may do beyond the event: redirect the browser, widen the access token. */
export interface LoginSupport {
  /** Absent where no browser can be redirected (a refresh). */
  redirect?: RedirectSupport;
  /**
   * The scopes `api.accessToken.addScope` may add: those the client may be granted for the API(s)
   * this login requested (`resource`, RFC 8707). Absent or empty, every addScope fails the execution.
   */
  grantableScopes?: readonly string[];
}

/** What a login's redirect needs: the provider's issuer and a fresh `state` for this login. */
export interface RedirectSupport {
  issuer: string;
  state: string;
}

interface PipelineState {
  input: PostLoginInput;
  effects: PostLoginEffects;
  /** Every call so far but redirects: what a paused login replays when it resumes. */
  calls: RecordedApiCall[];
  executions: ActionExecutionSummary[];
}

/** How one Action runs: its entry, and what `api.redirect` binds to (none: no browser to redirect). */
interface RunOptions {
  entry?: 'onExecutePostLogin' | 'onContinuePostLogin';
  continueParams?: Readonly<Record<string, string>>;
  binding?: RedirectSupport;
  grantableScopes: readonly string[];
}

async function runPipeline(
  actions: readonly DeployedAction[],
  state: PipelineState,
  deps: PostLoginActionsDependencies,
  log: Logger,
  login: LoginSupport,
): Promise<PostLoginOutcome> {
  for (const action of actions) {
    const outcome = await step(action, state, deps, log, {
      ...(login.redirect ? { binding: login.redirect } : {}),
      grantableScopes: login.grantableScopes ?? [],
    });
    if (outcome) return outcome;
  }
  return {
    decision: 'allow',
    ...merged(state.effects),
    executions: state.executions,
  };
}

/** Runs one Action into `state`; returns the outcome when the login stops here (deny or redirect). */
async function step(
  action: DeployedAction,
  state: PipelineState,
  deps: PostLoginActionsDependencies,
  log: Logger,
  options: RunOptions,
): Promise<PostLoginOutcome | undefined> {
  const execution = await runOne(action, state.input, deps, log, options);
  state.executions.push(execution.summary);
  if (execution.failure) return denied(execution.failure.code, ACTION_FAILED_REASON, state.executions);
  const { effects } = state;
  applyCalls(effects, execution.calls);
  state.calls.push(...execution.calls.filter((call) => call.method !== 'redirect.sendUserTo'));
  if (effects.denyReason !== undefined) return denied('access_denied', effects.denyReason, state.executions);
  // Auth0: metadata written by an Action is what the next Actions see.
  state.input = withMetadata(state.input, effects);
  if (effects.redirectUrl !== undefined && options.binding) {
    const url = new URL(effects.redirectUrl);
    url.searchParams.set('state', options.binding.state);
    return {
      decision: 'redirect',
      url: url.href,
      paused: { actionId: action.id, version: action.version, calls: state.calls },
      ...merged(effects),
      executions: state.executions,
    };
  }
  return undefined;
}

interface Execution {
  summary: ActionExecutionSummary;
  failure?: ActionFailure;
  calls: RecordedApiCall[];
}

async function runOne(
  action: DeployedAction,
  input: PostLoginInput,
  deps: PostLoginActionsDependencies,
  log: Logger,
  options: RunOptions,
): Promise<Execution> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  let secrets: Record<string, string> = {};
  let failure: ActionFailure | undefined;
  let calls: RecordedApiCall[] = [];
  let logs: string[] = [];
  let durationMs = 0;
  try {
    secrets = openActionSecrets(deps.secretBox, action.name, action.sealedSecrets);
  } catch {
    failure = {
      code: 'action_secrets_unreadable',
      detail: 'the secrets of this Action can not be decrypted',
    };
  }
  if (!failure) {
    const cache = await readCache(action, deps, startedAt, log);
    const result = await deps.sandbox.run({
      mode: 'run',
      code: action.code,
      filename: `${action.name}.js`,
      eventJson: JSON.stringify(buildPostLoginEvent(input, secrets)),
      limits: sandboxLimits(deps.settings),
      cache: { now: startedAt, entries: cache },
      ...(options.entry ? { entry: options.entry } : {}),
      ...(options.continueParams ? { continueParams: options.continueParams } : {}),
      ...(options.binding
        ? {
            redirect: {
              issuer: options.binding.issuer,
              subject: input.user.id,
              state: options.binding.state,
              ip: input.request.ip,
              now: Math.floor(startedAt / 1000),
            },
          }
        : {}),
    });
    failure = result.failure && { ...result.failure, detail: maskSecrets(result.failure.detail, secrets) };
    calls = result.calls;
    const refused = calls.find(
      (call) => call.method === 'accessToken.addScope' && !options.grantableScopes.includes(call.scope),
    );
    if (!failure && refused?.method === 'accessToken.addScope') {
      // Never beyond what the client may be granted: the login fails rather than get less or more.
      failure = {
        code: 'action_scope_not_grantable',
        detail: `api.accessToken.addScope: "${refused.scope}" is not a scope this client may be granted for the requested API`,
      };
      calls = [];
    }
    logs = result.logs.map((line) => maskSecrets(line, secrets));
    durationMs = result.durationMs;
    if (!failure) await writeCache(action, calls, deps, startedAt, log);
  }

  const outcome: ActionExecutionOutcome = failure
    ? 'failed'
    : calls.some((call) => call.method === 'access.deny')
      ? 'denied'
      : 'succeeded';
  const errorCode: ActionErrorCode | null = failure?.code ?? null;
  const summary: ActionExecutionSummary = {
    actionId: action.id,
    actionName: action.name,
    version: action.version,
    durationMs,
    outcome,
    errorCode,
    logs,
  };
  // The log and the execution log report the run; the calls themselves take effect unmasked.
  const callLines = maskSecretsDeep(calls, secrets).map(summarizeCall);
  const fields = {
    event: 'action.executed',
    action: action.name,
    actionId: action.id,
    version: action.version,
    durationMs: Math.round(durationMs * 1000) / 1000,
    outcome,
    errorCode,
    errorDetail: failure?.detail,
    calls: callLines,
    userId: input.user.id,
    clientId: input.client.clientId,
  };
  if (failure) log.warn(fields, `Action ${action.name} failed: ${failure.code}`);
  else log.info(fields, `Action ${action.name} ${outcome}`);
  if (logs.length > 0)
    log.debug({ action: action.name, console: logs }, `console output of Action ${action.name}`);

  try {
    await deps.actions.recordExecution(
      {
        actionId: action.id,
        version: action.version,
        startedAt,
        durationMs,
        outcome,
        errorCode,
        errorDetail: failure?.detail ?? null,
        logs,
        calls: callLines,
        userId: input.user.id,
        clientId: input.client.clientId,
      },
      deps.settings.executionLogSize,
    );
  } catch (error) {
    // The log is for people; a login is not denied because its record could not be written.
    log.error({ err: error, action: action.name }, 'could not write the Action execution log');
  }
  return { summary, ...(failure ? { failure } : {}), calls };
}

/** The Action's cache entries; empty when there is no cache or it can not be read (best-effort). */
async function readCache(
  action: DeployedAction,
  deps: PostLoginActionsDependencies,
  now: number,
  log: Logger,
): Promise<Record<string, CacheRecord>> {
  // A script that never names the cache is not made to wait for a read: the seed's Action and most
  // others cost a login no store round trip. (One that reaches it by a computed name sees it empty,
  // which a best-effort cache allows; its writes are stored all the same.)
  if (!deps.cache || !action.code.includes('cache')) return {};
  try {
    return await deps.cache.read(action.name, now);
  } catch (error) {
    log.warn(
      { err: error, action: action.name },
      'the Action cache could not be read; the Action runs without it',
    );
    return {};
  }
}

/** Stores what a successful execution wrote to its cache; a failure is logged, the login goes on. */
async function writeCache(
  action: DeployedAction,
  calls: readonly RecordedApiCall[],
  deps: PostLoginActionsDependencies,
  now: number,
  log: Logger,
): Promise<void> {
  try {
    await deps.cache?.write(action.name, calls, now);
  } catch (error) {
    log.warn({ err: error, action: action.name }, 'the Action cache could not be written');
  }
}

function withMetadata(input: PostLoginInput, effects: PostLoginEffects): PostLoginInput {
  if (effects.appMetadata.size === 0 && effects.userMetadata.size === 0) return input;
  return {
    ...input,
    user: {
      ...input.user,
      appMetadata: updated(input.user.appMetadata, effects.appMetadata),
      userMetadata: updated(input.user.userMetadata, effects.userMetadata),
    },
  };
}

function updated(metadata: JsonObject, changes: Map<string, JsonValue | null>): JsonObject {
  const next = new Map(Object.entries(metadata));
  for (const [key, value] of changes) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return Object.fromEntries(next);
}

function merged(effects: PostLoginEffects) {
  const multifactor = mergeMultifactor(effects.multifactorCalls);
  return {
    ...(multifactor ? { multifactor } : {}),
    challenges: effects.challenges,
    idTokenClaims: Object.fromEntries(effects.idTokenClaims),
    accessTokenClaims: Object.fromEntries(effects.accessTokenClaims),
    accessTokenScopes: {
      add: [...effects.accessTokenScopes].filter(([, change]) => change === 'add').map(([scope]) => scope),
      remove: [...effects.accessTokenScopes]
        .filter(([, change]) => change === 'remove')
        .map(([scope]) => scope),
    },
    appMetadata: Object.fromEntries(effects.appMetadata),
    userMetadata: Object.fromEntries(effects.userMetadata),
  };
}

function denied(
  code: PostLoginDenyCode,
  reason: string,
  executions: ActionExecutionSummary[],
): PostLoginOutcome {
  return {
    decision: 'deny',
    code,
    reason,
    challenges: [],
    idTokenClaims: {},
    accessTokenClaims: {},
    accessTokenScopes: { add: [], remove: [] },
    appMetadata: {},
    userMetadata: {},
    executions,
  };
}

/** The enabled post-login Actions in order, or undefined (logged) when they cannot be read: fail closed. */
async function loadEnabledActions(
  deps: PostLoginActionsDependencies,
  log: Logger,
): Promise<DeployedAction[] | undefined> {
  try {
    return await deps.actions.listEnabled('post-login');
  } catch (error) {
    log.error({ err: error }, 'the post-login Actions could not be loaded');
    return undefined;
  }
}
