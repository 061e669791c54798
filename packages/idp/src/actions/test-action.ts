import type { ActionErrorCode } from './action-error-codes.ts';
import { ActionManagementError } from './action-management-error.ts';
import { maskSecrets, maskSecretsDeep, openActionSecrets } from './action-secrets.ts';
import type { ManageActionsDependencies } from './deploy-action.ts';
import type { RecordedApiCall } from './post-login-api.ts';
import { buildPostLoginEvent, type PostLoginEvent } from './post-login-event.ts';
import { summarizeCall } from './post-login-outcome.ts';
import { sandboxLimits } from './run-post-login-actions.ts';
import { samplePostLoginInput } from './sample-post-login-input.ts';

/** What one test run of an Action did. Nothing of it is stored or applied to a user. */
export interface ActionTestResult {
  outcome: 'succeeded' | 'denied' | 'failed';
  errorCode: ActionErrorCode | null;
  errorDetail: string | null;
  /** The validated `api` calls, in order, with the Action's secrets masked. */
  calls: RecordedApiCall[];
  /** One line per call, as the execution log shows them. */
  callSummary: string[];
  logs: string[];
  durationMs: number;
  /** The event the Action saw, with its secrets masked. */
  event: PostLoginEvent;
}

/**
 * Test-runs the current version of an Action (enabled or not) against a sample login: the event of
 * `samplePostLoginInput` with `eventOverrides` merged in (objects merged key by key, anything else
 * replaced), and the Action's real secrets. Giving `transaction.acr_values` as a string also sets
 * `transaction.acr_values_list`. Throws `not_found` or `invalid_request`.
 */
export async function testAction(
  name: string,
  eventOverrides: unknown,
  deps: ManageActionsDependencies,
): Promise<ActionTestResult> {
  const action = await deps.actions.find(name);
  if (!action) throw new ActionManagementError('not_found', `no Action named "${name}"`);
  if (eventOverrides !== undefined && !isPlainObject(eventOverrides)) {
    throw new ActionManagementError('invalid_request', 'the sample event must be a JSON object');
  }
  let secrets: Record<string, string> = {};
  try {
    if (action.sealedSecrets !== null) {
      if (!deps.secretBox) throw new TypeError('testAction: an Action with secrets needs deps.secretBox');
      secrets = openActionSecrets(deps.secretBox, action.name, action.sealedSecrets);
    }
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw new ActionManagementError('conflict', 'the secrets of this Action can not be decrypted');
  }
  const event = sampleEvent(secrets, eventOverrides ?? {});
  const result = await deps.sandbox.run({
    mode: 'run',
    code: action.code,
    filename: `${action.name}.js`,
    eventJson: JSON.stringify(event),
    limits: sandboxLimits(deps.settings),
  });
  const denied = result.calls.some((call) => call.method === 'access.deny');
  // Whoever may test-run an Action may not read its secrets: every part of the report is masked.
  const calls = maskSecretsDeep(result.calls, secrets);
  return {
    outcome: result.failure ? 'failed' : denied ? 'denied' : 'succeeded',
    errorCode: result.failure?.code ?? null,
    errorDetail: result.failure ? maskSecrets(result.failure.detail, secrets) : null,
    calls,
    callSummary: calls.map(summarizeCall),
    logs: result.logs.map((line) => maskSecrets(line, secrets)),
    durationMs: result.durationMs,
    event: maskSecretsDeep(event, secrets),
  };
}

function sampleEvent(secrets: Record<string, string>, overrides: Record<string, unknown>): PostLoginEvent {
  const event = mergeDeep(buildPostLoginEvent(samplePostLoginInput(), secrets), overrides) as PostLoginEvent;
  const transaction = (overrides.transaction ?? {}) as Record<string, unknown>;
  if (typeof transaction.acr_values === 'string' && transaction.acr_values_list === undefined) {
    event.transaction.acr_values_list = transaction.acr_values.split(/\s+/).filter(Boolean);
  }
  return event;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDeep(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides;
  const merged = new Map(Object.entries(base));
  for (const [key, value] of Object.entries(overrides)) merged.set(key, mergeDeep(merged.get(key), value));
  return Object.fromEntries(merged);
}
