import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configSchema } from '../config/config-schema.ts';
import type { ActionsRepository } from '../store/actions.ts';
import { ActionManagementError } from './action-management-error.ts';
import { ACTION_NAME } from './action-name.ts';
import { deployAction } from './deploy-action.ts';
import { reorderActions } from './reorder-actions.ts';
import type { ActionSettings } from './run-post-login-actions.ts';
import { ActionSandbox } from './sandbox/action-sandbox.ts';
import { setActionEnabled } from './set-action-enabled.ts';

/** Options of `loadActionsDirectory`. */
export interface LoadActionsDirectoryOptions {
  /** Checks that each file loads; without it a one-worker sandbox is started for the check. */
  sandbox?: ActionSandbox;
  /** Sandbox limits for the check; default: the configuration's defaults. */
  settings?: ActionSettings;
  /** Epoch seconds. */
  now?: () => number;
}

/** One file of the folder, as deployed. */
export interface LoadedAction {
  name: string;
  version: number;
  /** False when the file matched the current version: nothing was deployed. */
  changed: boolean;
}

/**
 * Configuration as code: deploys every `<name>.js` in `dir` as the post-login Action `<name>` (a new
 * version only when the code changed; secrets stay as deployed with the CLI), enables it, and makes
 * the files run first, in file name order (`10-require-mfa.js` before `20-claims.js`). Actions that
 * are not in the folder keep running after them; removing a file does not remove its Action.
 *
 * Call it at start, before the provider serves logins. Throws `ActionManagementError` naming the file
 * when one can not be read or does not load, so a broken folder stops the start.
 */
export async function loadActionsDirectory(
  dir: string,
  actions: ActionsRepository,
  options: LoadActionsDirectoryOptions = {},
): Promise<LoadedAction[]> {
  let files: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    files = entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new ActionManagementError(
      'invalid_request',
      `cannot read the Actions folder ${dir}: ${(error as Error).message}`,
    );
  }
  const settings = options.settings ?? configSchema.shape.actions.parse({});
  const sandbox = options.sandbox ?? new ActionSandbox({ workers: 1, maxStackBytes: settings.maxStackBytes });
  const deps = { actions, sandbox, settings, ...(options.now ? { now: options.now } : {}) };
  try {
    const loaded: LoadedAction[] = [];
    for (const file of files) {
      const name = file.slice(0, -'.js'.length);
      if (!ACTION_NAME.test(name)) {
        throw new ActionManagementError(
          'invalid_request',
          `${join(dir, file)}: "${name}" can not name an Action`,
        );
      }
      const code = await readFile(join(dir, file), 'utf8');
      try {
        const { action, changed } = await deployAction({ name, trigger: 'post-login', code }, deps);
        loaded.push({ name, version: action.version, changed });
      } catch (error) {
        if (error instanceof ActionManagementError) {
          throw new ActionManagementError(error.code, `${join(dir, file)}: ${error.message}`);
        }
        throw error;
      }
    }
    for (const { name } of loaded) await setActionEnabled(actions, name, true);
    if (loaded.length > 0)
      await reorderActions(
        actions,
        'post-login',
        loaded.map(({ name }) => name),
      );
    return loaded;
  } finally {
    if (!options.sandbox) await sandbox.close();
  }
}
