import { isDeepStrictEqual } from 'node:util';
import type { StepupProvider } from '../../../packages/idp/src/stepup-provider.ts';
import type { AuthorizationDetailTypeRecord } from '../../../packages/idp/src/store/authorization-detail-types.ts';
import type { ResourceServerRecord } from '../../../packages/idp/src/store/resource-servers.ts';
import { PAYOUT_ACCOUNT_CHANGE } from '../src/payout/payout-account-change.ts';

/**
 * The salary app's transaction as the provider must know it (RFC 9396 2): exactly what
 * `checkPayoutAccountChange` lets through — an IBAN in electronic form (upper case, no spaces, 15 to
 * 34 characters) and a holder of at most 70 characters without control characters — shown on the
 * phone as "Change salary payout account: to DE89…, holder Alice Example".
 */
export const PAYOUT_ACCOUNT_CHANGE_TYPE: AuthorizationDetailTypeRecord = {
  type: PAYOUT_ACCOUNT_CHANGE,
  description: 'Change salary payout account',
  schema: {
    type: 'object',
    required: ['type', 'iban', 'holder'],
    properties: {
      type: { const: PAYOUT_ACCOUNT_CHANGE },
      iban: { type: 'string', pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' },
      holder: { type: 'string', minLength: 1, maxLength: 70, pattern: '^[^\\u0000-\\u001F\\u007F]+$' },
    },
    additionalProperties: false,
  },
  displayFields: [
    { field: 'iban', label: 'to' },
    { field: 'holder', label: 'holder' },
  ],
};

/**
 * The payout account resource (RFC 8707) the app names in its transaction: oidc-provider accepts
 * `authorization_details` only for a registered resource. No scopes: the approval is the grant.
 */
export function payoutResourceServer(identifier: string): ResourceServerRecord {
  return { identifier, scopes: [], accessTokenTtl: 300, signingAlg: 'RS256' };
}

/**
 * Registers the payout transaction type and its resource, on every start (the app's URL may have
 * changed); writes only what differs. True when something was written.
 */
export async function ensurePayoutTransaction(stepup: StepupProvider, resource: string): Promise<boolean> {
  const { store } = stepup;
  let changed = false;
  const type = await store.authorizationDetailTypes.find(PAYOUT_ACCOUNT_CHANGE_TYPE.type);
  if (!isDeepStrictEqual(type, PAYOUT_ACCOUNT_CHANGE_TYPE)) {
    await store.authorizationDetailTypes.upsert(PAYOUT_ACCOUNT_CHANGE_TYPE);
    changed = true;
  }
  const wanted = payoutResourceServer(resource);
  if (!isDeepStrictEqual(await store.resourceServers.find(resource), wanted)) {
    await store.resourceServers.upsert(wanted);
    changed = true;
  }
  return changed;
}
