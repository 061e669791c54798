import type {
  Interaction,
  InteractionKit,
  InteractionReply,
  InteractionRequest,
} from '../../interaction/interaction-kit.ts';
import type { WebAuthnCeremony } from '../../store/webauthn-challenges.ts';
import type { WebAuthnError } from './webauthn-error.ts';
import { publicMessageFor } from './webauthn-error-message.ts';
import { WEBAUTHN_METHOD } from './webauthn-method.ts';

/** The response header that carries the stable code of a refused ceremony, for support and tests. */
export const WEBAUTHN_ERROR_HEADER = 'stepup-error';

/**
 * Answers a refused WebAuthn response: logs it (a counter regression as a possible cloned
 * authenticator), and shows the same step again with what to do next. Nothing was recorded.
 */
export async function refuseWebAuthnResponse(
  kit: InteractionKit,
  request: InteractionRequest,
  reply: InteractionReply,
  interaction: Interaction,
  refusal: { error: WebAuthnError; ceremony: WebAuthnCeremony },
): Promise<void> {
  const { error, ceremony } = refusal;
  const { clientId } = interaction;
  if (error.code === 'counter_regression' && error.userId && error.credentialId) {
    kit.deps.logAuthEvent({
      event: 'webauthn.possible_clone',
      userId: error.userId,
      credentialId: error.credentialId,
      clientId,
    });
  } else {
    kit.deps.logAuthEvent({
      event: 'webauthn.rejected',
      reason: error.code,
      ceremony,
      clientId,
      ...(error.userId ? { userId: error.userId } : {}),
      ...(error.credentialId ? { credentialId: error.credentialId } : {}),
    });
  }
  if (ceremony !== 'sign-in' && interaction.progress.chosenMethod !== WEBAUTHN_METHOD) {
    // Whatever comes first in the order of preference, the person was using this factor: stay on it.
    interaction.progress.chosenMethod = WEBAUTHN_METHOD;
    await kit.saveProgress(interaction);
  }
  reply.header(WEBAUTHN_ERROR_HEADER, error.code);
  await kit.proceed(request, reply, interaction, {
    status: 400,
    error: publicMessageFor(error.code, ceremony),
  });
}
