import type { WebAuthnChallengesRepository } from '../../store/webauthn-challenges.ts';
import type { WebAuthnCredential, WebAuthnCredentialsRepository } from '../../store/webauthn-credentials.ts';
import { issueAuthenticationOptions } from './issue-authentication-options.ts';
import { issueRegistrationOptions } from './issue-registration-options.ts';
import { verifyAuthentication } from './verify-authentication.ts';
import { verifyRegistration } from './verify-registration.ts';
import type { WebAuthnContext, WebAuthnRelyingParty } from './webauthn-relying-party.ts';

/**
 * WebAuthn as a factor of a user: security keys and passkeys, each ceremony in its own module; this
 * binds them to one relying party and the store.
 */
export class WebAuthnFactor {
  readonly context: WebAuthnContext;

  constructor(options: {
    relyingParty: WebAuthnRelyingParty;
    credentials: WebAuthnCredentialsRepository;
    challenges: WebAuthnChallengesRepository;
  }) {
    this.context = { ...options };
  }

  async listFor(userId: string): Promise<WebAuthnCredential[]> {
    return this.context.credentials.listForUser(userId);
  }

  issueRegistrationOptions(request: Parameters<typeof issueRegistrationOptions>[1]) {
    return issueRegistrationOptions(this.context, request);
  }

  verifyRegistration(request: Parameters<typeof verifyRegistration>[1]) {
    return verifyRegistration(this.context, request);
  }

  issueAuthenticationOptions(request: Parameters<typeof issueAuthenticationOptions>[1]) {
    return issueAuthenticationOptions(this.context, request);
  }

  verifyAuthentication(request: Parameters<typeof verifyAuthentication>[1]) {
    return verifyAuthentication(this.context, request);
  }
}
