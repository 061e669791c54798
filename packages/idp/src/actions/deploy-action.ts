import type { SecretBox } from '../crypto/secret-box.ts';
import type { ActionsRepository, ActionTrigger, DeployedAction } from '../store/actions.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import { StoreConflictError } from '../store/errors.ts';
import { ActionManagementError } from './action-management-error.ts';
import { checkActionName } from './action-name.ts';
import { openActionSecrets, SECRET_NAME, sealActionSecrets } from './action-secrets.ts';
import { checkActionSource } from './check-action-source.ts';
import { buildPostLoginEvent } from './post-login-event.ts';
import { type ActionSettings, sandboxLimits } from './run-post-login-actions.ts';
import { samplePostLoginInput } from './sample-post-login-input.ts';
import type { ActionSandbox } from './sandbox/action-sandbox.ts';

/** The triggers an Action can be deployed for. */
export const ACTION_TRIGGERS: readonly ActionTrigger[] = ['post-login'];
/** Larger scripts are refused: an Action is a rule, not a program. */
export const MAX_ACTION_CODE_BYTES = 100 * 1024;

/** One deploy, from the CLI, the admin API or an Actions folder. */
export interface DeployActionRequest {
  name: string;
  trigger: string;
  code: string;
  /** Secrets to add or replace; the others carry over from the current version. */
  secrets?: Readonly<Record<string, string>>;
  /** Names of secrets to drop. */
  removeSecrets?: readonly string[];
  /** Whether the Action runs: a new one starts enabled unless false; an existing one keeps its state unless given. */
  enabled?: boolean;
}

/** What deploying and test-running Actions need. */
export interface ManageActionsDependencies {
  actions: ActionsRepository;
  /** The provider's `SecretBox`; needed only when secrets are read or changed. */
  secretBox?: SecretBox;
  sandbox: ActionSandbox;
  settings: ActionSettings;
  /** Epoch seconds. */
  now?: () => number;
}

/** The Action after a deploy, and whether a version was added. */
export interface DeployActionResult {
  action: DeployedAction;
  /** False when code and secrets were those of the current version: no version was added. */
  changed: boolean;
}

/** What a deploy is about to change, for the audit events written with it. */
export interface PlannedActionChange {
  /** The version the deploy adds; undefined when code and secrets stay those of the current one. */
  version?: number;
  /** Whether an existing Action is switched on or off; undefined when its state stays. */
  enabled?: boolean;
}

/**
 * Deploys an Action: checks its name, trigger and size, reads its source for calls the product would
 * refuse at login time (`checkActionSource`), loads it in the sandbox (it must compile and export
 * `onExecutePostLogin`), merges its secrets with the current version's and stores a new version,
 * together with the audit events `auditEvents` builds for the change. Deploying the current code and
 * secrets again changes nothing, so an Actions folder can be loaded at every start. Throws
 * `ActionManagementError`.
 */
export async function deployAction(
  request: DeployActionRequest,
  deps: ManageActionsDependencies,
  auditEvents: (change: PlannedActionChange) => readonly NewAuditEvent[] = () => [],
): Promise<DeployActionResult> {
  checkActionName(request.name);
  if (!(ACTION_TRIGGERS as readonly string[]).includes(request.trigger)) {
    throw new ActionManagementError(
      'invalid_request',
      `trigger "${request.trigger}" is not one of ${ACTION_TRIGGERS.join(', ')}`,
    );
  }
  const trigger = request.trigger as ActionTrigger;
  if (request.code.trim() === '' || Buffer.byteLength(request.code) > MAX_ACTION_CODE_BYTES) {
    throw new ActionManagementError(
      'invalid_request',
      `the code must have 1 to ${MAX_ACTION_CODE_BYTES} bytes`,
    );
  }
  const changes = request.secrets ?? {};
  const removals = request.removeSecrets ?? [];
  for (const name of [...Object.keys(changes), ...removals]) {
    if (!SECRET_NAME.test(name)) {
      throw new ActionManagementError(
        'invalid_request',
        `secret name "${name}" must be an identifier (A-Z, 0-9, _)`,
      );
    }
  }
  const existing = await deps.actions.find(request.name);
  if (existing && existing.trigger !== trigger) {
    throw new ActionManagementError(
      'invalid_request',
      `Action "${request.name}" runs on ${existing.trigger}`,
    );
  }
  const secretsChange =
    Object.keys(changes).length > 0 || removals.some((name) => existing?.secretNames.includes(name));
  const enabledChanged =
    existing !== undefined && request.enabled !== undefined && request.enabled !== existing.enabled;
  const switched = enabledChanged ? { enabled: request.enabled === true } : {};
  if (existing && !secretsChange && existing.code === request.code) {
    if (!enabledChanged) return { action: existing, changed: false };
    const enabled = request.enabled === true;
    if (!(await deps.actions.setEnabled(request.name, enabled, now(deps), auditEvents(switched)))) {
      throw new ActionManagementError('conflict', `Action "${request.name}" was deleted meanwhile`);
    }
    return { action: { ...existing, enabled }, changed: false };
  }
  const problems = checkActionSource(request.code);
  if (problems.length > 0) {
    throw new ActionManagementError(
      'invalid_request',
      `the Action uses what Stepup does not run: ${problems.map((problem) => `line ${problem.line}: ${problem.message}`).join('; ')}`,
    );
  }
  await checkLoads(request.name, request.code, deps);

  let secretNames = existing?.secretNames ?? [];
  let sealedSecrets = existing?.sealedSecrets ?? null;
  if (secretsChange) {
    if (!deps.secretBox) throw new TypeError('deployAction: changing secrets needs deps.secretBox');
    let secrets: Record<string, string>;
    try {
      secrets = openActionSecrets(deps.secretBox, request.name, sealedSecrets);
    } catch {
      throw new ActionManagementError(
        'conflict',
        'the current secrets can not be decrypted; redeploy them all',
      );
    }
    for (const name of removals) delete secrets[name];
    Object.assign(secrets, changes);
    try {
      sealedSecrets = sealActionSecrets(deps.secretBox, request.name, secrets);
    } catch (error) {
      throw new ActionManagementError('invalid_request', (error as Error).message);
    }
    secretNames = Object.keys(secrets).sort();
  }

  const basedOn = existing?.version ?? null;
  try {
    const action = await deps.actions.deploy(
      {
        name: request.name,
        trigger,
        code: request.code,
        secretNames,
        sealedSecrets,
        basedOn,
        ...(request.enabled === undefined ? {} : { enabled: request.enabled }),
        now: now(deps),
      },
      // The store refuses the deploy unless `basedOn` is still current, so this is the new version.
      auditEvents({ version: (basedOn ?? 0) + 1, ...switched }),
    );
    return { action, changed: true };
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new ActionManagementError(
        'conflict',
        `Action "${request.name}" was deployed by someone else meanwhile`,
      );
    }
    throw error;
  }
}

function now(deps: ManageActionsDependencies): number {
  return (deps.now ?? (() => Math.floor(Date.now() / 1000)))();
}

/** Runs the script's top level in the sandbox without calling it: it must load and export the function. */
async function checkLoads(name: string, code: string, deps: ManageActionsDependencies): Promise<void> {
  const result = await deps.sandbox.run({
    mode: 'load',
    code,
    filename: `${name}.js`,
    eventJson: JSON.stringify(buildPostLoginEvent(samplePostLoginInput(), {})),
    limits: sandboxLimits(deps.settings),
  });
  if (result.failure) {
    throw new ActionManagementError(
      'invalid_request',
      `the Action does not load (${result.failure.code}): ${result.failure.detail}`,
    );
  }
}
