import type { Store } from '../store.ts';
import type { BearerIdKeys } from './bearer-id-hash.ts';
import { withHashedBearerIds } from './hashed-bearer-id-adapter.ts';
import { withHashedInteractionStateKeys } from './hashed-interaction-states.ts';
import { withHashedEmailCodes, withHashedWebAuthnChallenges } from './hashed-login-challenges.ts';
import { withHashedPasswordResetTokens } from './hashed-password-reset-tokens.ts';
import { withHashedPushChallenges, withHashedPushEnrollmentTokens } from './hashed-push-state.ts';
import { plainBearerIdRewrite } from './plain-bearer-id-rewrite.ts';

export interface BearerIdHashing {
  /**
   * The store whose oidc-provider adapter, interaction states, WebAuthn challenges, email codes,
   * password reset tokens, push challenges and enrollment tokens keep bearer ids hashed (see `withHashedBearerIds`,
   * `withHashedInteractionStateKeys`, `hashed-login-challenges.ts`, `hashed-push-state.ts`). Push
   * notices must then go through `withHashedInteractionTopics` under the same keys.
   */
  store: Store;
  /**
   * Rewrites instances still stored in clear under the current key; returns how many. Run at
   * start, and again with the sweep of expired rows for those an older node wrote while nodes were
   * being upgraded one by one.
   */
  hashPlainBearerIds(): Promise<number>;
}

/**
 * Puts the store's oidc-provider adapter and interaction states behind bearer-id hashing under `keys`, after rewriting the
 * instances an earlier release stored in clear: sessions and refresh tokens issued before the
 * upgrade keep working, and none stays at rest in clear.
 */
export async function withBearerIdHashing(store: Store, keys: BearerIdKeys): Promise<BearerIdHashing> {
  const oidcAdapter = withHashedBearerIds(store.oidcAdapter, keys);
  const rewrite = plainBearerIdRewrite(keys);
  const hashPlainBearerIds = () => store.hashPlainBearerIds(rewrite);
  await hashPlainBearerIds();
  const interactionStates = withHashedInteractionStateKeys(store.interactionStates, keys);
  const webauthnChallenges = withHashedWebAuthnChallenges(store.webauthnChallenges, keys);
  const emailCodes = withHashedEmailCodes(store.emailCodes, keys);
  const passwordResetTokens = withHashedPasswordResetTokens(store.passwordResetTokens, keys);
  const pushChallenges = withHashedPushChallenges(store.pushChallenges, keys);
  const pushEnrollmentTokens = withHashedPushEnrollmentTokens(store.pushEnrollmentTokens, keys);
  return {
    store: {
      ...store,
      oidcAdapter,
      interactionStates,
      webauthnChallenges,
      emailCodes,
      passwordResetTokens,
      pushChallenges,
      pushEnrollmentTokens,
    },
    hashPlainBearerIds,
  };
}
