import pino, { type Logger } from 'pino';
import { configSchema } from '../../config/config-schema.ts';
import { SecretKeyring } from '../../crypto/secret-keyring.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { ActionCache } from '../cache/action-cache.ts';
import { deployAction, type ManageActionsDependencies } from '../deploy-action.ts';
import type { PostLoginInput } from '../post-login-event.ts';
import type { PostLoginOutcome } from '../post-login-outcome.ts';
import { type ActionSettings, runPostLoginActions } from '../run-post-login-actions.ts';
import { samplePostLoginInput } from '../sample-post-login-input.ts';
import { ActionSandbox } from '../sandbox/action-sandbox.ts';

export const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/** The seed's Action (shared/seed/step-up-for-web-apps.txt), verbatim but for the client id. */
export const SEED_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  const CLIENTS_WITH_MFA = ['salary'];
  // run only for the specified clients
  if (CLIENTS_WITH_MFA.includes(event.client.client_id)) {
    // ask for MFA only if the web app said so in the authentication request
    if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') {
      api.multifactor.enable('any', { allowRememberBrowser: false });
    }
  }
}`;

/**
 * The same rule as Auth0's current docs write it, with `.includes` — on `acr_values_list`, since a
 * deploy refuses array idioms on the string `acr_values` (`check-action-source.ts`).
 */
export const INCLUDES_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  const CLIENTS_WITH_MFA = ['salary'];
  if (CLIENTS_WITH_MFA.includes(event.client.client_id)) {
    if (event.transaction.acr_values_list.includes('http://schemas.openid.net/pape/policies/2007/06/multi-factor')) {
      api.multifactor.enable('any', { allowRememberBrowser: false });
    }
  }
};`;

/** A login to `clientId`, with `acr_values` sent as `acrValues` (omitted: no parameter at all). */
export function loginInput(clientId: string, acrValues?: string): PostLoginInput {
  const sample = samplePostLoginInput(1_700_000_000);
  const { acr_values: _ignored, ...query } = sample.request.query;
  return {
    ...sample,
    client: { ...sample.client, clientId },
    transaction: { ...sample.transaction, acrValues: acrValues === undefined ? [] : [acrValues] },
    request: {
      ...sample.request,
      query: { ...query, client_id: clientId, ...(acrValues === undefined ? {} : { acr_values: acrValues }) },
    },
  };
}

export interface ActionsFixture {
  store: Store;
  secretBox: SecretKeyring;
  sandbox: ActionSandbox;
  settings: ActionSettings;
  logger: Logger;
  manage: ManageActionsDependencies;
  /** Deploys (enabled) and returns the Action's id. */
  deploy(name: string, code: string, secrets?: Record<string, string>): Promise<string>;
  run(input: PostLoginInput, settings?: Partial<ActionSettings>): Promise<PostLoginOutcome>;
  close(): Promise<void>;
}

/** An in-memory store, a fresh key and a sandbox: what the engine needs, nothing stubbed. */
export async function openActionsFixture(
  sandbox: ActionSandbox,
  settings: Partial<ActionSettings> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<ActionsFixture> {
  const store = await openSqliteStore({ file: ':memory:' });
  const secretBox = SecretKeyring.parse(SecretKeyring.generateKey());
  // A generous time limit unless a test sets one: CI machines can be very busy.
  const resolved = { ...configSchema.shape.actions.parse({}), timeoutMs: 3000, ...settings };
  const manage = { actions: store.actions, secretBox, sandbox, settings: resolved };
  return {
    store,
    secretBox,
    sandbox,
    settings: resolved,
    logger,
    manage,
    async deploy(name, code, secrets = {}) {
      const { action } = await deployAction({ name, trigger: 'post-login', code, secrets }, manage);
      return action.id;
    },
    async run(input, override = {}) {
      return runPostLoginActions(input, {
        cache: new ActionCache(store.interactionStates),
        actions: store.actions,
        secretBox,
        sandbox,
        logger,
        settings: { ...resolved, ...override },
      });
    },
    async close() {
      await store.close();
    },
  };
}

/** A sandbox big enough for a test file; close it in `after`. */
export function testSandbox(): ActionSandbox {
  return new ActionSandbox({ workers: 2, maxStackBytes: 256 * 1024 });
}
