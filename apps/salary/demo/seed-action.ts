import { type DeployActionResult, deployAction } from '../../../packages/idp/src/actions/deploy-action.ts';
import type { StepupProvider } from '../../../packages/idp/src/stepup-provider.ts';

/** The name the demo deploys the seed's Action under. */
export const SEED_ACTION_NAME = 'salary-step-up';

/**
 * The Action of the seed scenario (shared/seed/step-up-for-web-apps.txt, "Create an Action"), pasted
 * verbatim. Only the placeholder is replaced, by the salary app's client id.
 */
const SEED_ACTION_SOURCE = `exports.onExecutePostLogin = async (event, api) => {
  const CLIENTS_WITH_MFA = ['REPLACE_WITH_YOUR_CLIENT_ID'];
  // run only for the specified clients
  if (CLIENTS_WITH_MFA.includes(event.client.client_id)) {
    // ask for MFA only if the web app said so in the authentication request
    if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') {
      api.multifactor.enable('any', { allowRememberBrowser: false });
    }
  }
}
`;

/** The seed's Action with `clientId` filled in. */
export function seedActionFor(clientId: string): string {
  // Client ids are letters, digits and . _ ~ - (the CLI's rule): nothing that could end the string.
  if (!/^[A-Za-z0-9._~-]{1,128}$/.test(clientId)) {
    throw new TypeError(`seedActionFor: "${clientId}" is not a client id the Action can name`);
  }
  return SEED_ACTION_SOURCE.replace('REPLACE_WITH_YOUR_CLIENT_ID', clientId);
}

/**
 * Deploys the seed's Action as a post-login Action of the provider, through the same path as
 * `stepup-idp actions deploy`. Deploying the same code again adds no version; an Action the operator
 * disabled stays disabled.
 */
export async function deploySeedAction(
  stepup: StepupProvider,
  clientId: string,
): Promise<DeployActionResult> {
  return deployAction(
    { name: SEED_ACTION_NAME, trigger: 'post-login', code: seedActionFor(clientId) },
    { actions: stepup.store.actions, sandbox: stepup.actionSandbox, settings: stepup.config.actions },
  );
}
