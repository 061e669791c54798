import type { ActionExecutionRecord, ActionsRepository, StoredAction } from '../store/actions.ts';
import { ActionManagementError } from './action-management-error.ts';

/** An Action as the CLI and the admin API show it: never a secret value. Times are ISO 8601. */
export interface ActionView {
  id: string;
  name: string;
  trigger: string;
  enabled: boolean;
  position: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One execution from the execution log, as the CLI and the admin API show it. */
export interface ActionExecutionView {
  version: number;
  startedAt: string;
  durationMs: number;
  outcome: string;
  errorCode: string | null;
  errorDetail: string | null;
  calls: string[];
  logs: string[];
  userId: string | null;
  clientId: string | null;
}

/** One Action in full: its current code, the names (only) of its secrets, its versions and last runs. */
export interface ActionDetailView extends ActionView {
  code: string;
  secretNames: string[];
  versions: { version: number; createdAt: string; secretNames: string[] }[];
  recentExecutions: ActionExecutionView[];
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** The listed view of an Action. */
export function toActionView(action: StoredAction): ActionView {
  return {
    id: action.id,
    name: action.name,
    trigger: action.trigger,
    enabled: action.enabled,
    position: action.position,
    version: action.version,
    createdAt: iso(action.createdAt),
    updatedAt: iso(action.updatedAt),
  };
}

/** The shown view of one execution-log entry. */
export function toExecutionView(record: ActionExecutionRecord): ActionExecutionView {
  return {
    version: record.version,
    startedAt: new Date(record.startedAt).toISOString(),
    durationMs: Math.round(record.durationMs * 1000) / 1000,
    outcome: record.outcome,
    errorCode: record.errorCode,
    errorDetail: record.errorDetail,
    calls: record.calls,
    logs: record.logs,
    userId: record.userId,
    clientId: record.clientId,
  };
}

/** The detail view of one Action; throws `not_found`. */
export async function showAction(
  actions: ActionsRepository,
  name: string,
  executions = 10,
): Promise<ActionDetailView> {
  const action = await actions.find(name);
  if (!action) throw new ActionManagementError('not_found', `no Action named "${name}"`);
  const [versions, recent] = await Promise.all([
    actions.listVersions(name),
    actions.listExecutions(action.id, executions),
  ]);
  return {
    ...toActionView(action),
    code: action.code,
    secretNames: action.secretNames,
    versions: versions.map((version) => ({
      version: version.version,
      createdAt: iso(version.createdAt),
      secretNames: version.secretNames,
    })),
    recentExecutions: recent.map(toExecutionView),
  };
}
