import { ActionManagementError } from '../../actions/action-management-error.ts';
import type { ManageActionsDependencies } from '../../actions/deploy-action.ts';
import { ActionSandbox } from '../../actions/sandbox/action-sandbox.ts';
import type { StepupConfig } from '../../config/config-schema.ts';
import { loadSecretKeyring } from '../../crypto/load-secret-keyring.ts';
import { loadProviderKeys } from '../../oidc/provider-keys.ts';
import type { Store } from '../../store/store.ts';
import { UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

/**
 * Runs one `stepup-idp actions …` command against the configured store, with the provider's keys
 * and a one-worker sandbox started only if the command uses it. A refused management operation
 * becomes a usage error (exit code 2) with its message.
 */
export async function withActionManagement(
  env: NodeJS.ProcessEnv,
  work: (deps: ManageActionsDependencies, store: Store, config: StepupConfig) => Promise<void>,
): Promise<void> {
  await withStore(env, async (store, config) => {
    const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
    let sandbox: ActionSandbox | undefined;
    const deps: ManageActionsDependencies = {
      actions: store.actions,
      secretBox,
      settings: config.actions,
      get sandbox() {
        sandbox ??= new ActionSandbox({ workers: 1, maxStackBytes: config.actions.maxStackBytes });
        return sandbox;
      },
    };
    try {
      await work(deps, store, config);
    } catch (error) {
      if (error instanceof ActionManagementError) throw new UsageError(error.message);
      throw error;
    } finally {
      await sandbox?.close();
    }
  });
}
