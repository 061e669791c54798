import type { WebAuthnCeremony } from '../../store/webauthn-challenges.ts';
import type { WebAuthnErrorCode } from './webauthn-error.ts';

const TRY_AGAIN_OR_OTHER = 'Try again, or choose another way.';

/** What a page says about a refused ceremony: what happened, in plain words, and what to do next. */
export function publicMessageFor(code: WebAuthnErrorCode, ceremony: WebAuthnCeremony): string {
  const signIn = ceremony === 'sign-in';
  switch (code) {
    case 'challenge_not_found':
    case 'challenge_mismatch':
      return 'That request expired or was already used. Select the button again to start a new one.';
    case 'origin_mismatch':
    case 'rp_id_mismatch':
      return 'That response was made for another website. Make sure you are on the real sign-in page, then try again.';
    case 'unknown_credential':
    case 'user_handle_mismatch':
      return signIn
        ? 'That passkey is not registered here. Sign in with your username and password instead.'
        : `That security key or passkey is not registered to your account. ${TRY_AGAIN_OR_OTHER}`;
    case 'user_verification_required':
      return 'Your passkey must check that it is you. Try again and confirm with your PIN, fingerprint, face or screen lock when asked.';
    case 'counter_regression':
      return 'That security key or passkey cannot be used: it may have been copied. Use another way to sign in, and tell your administrator.';
    case 'credential_already_registered':
      return 'That security key or passkey is already registered. Use another one, or choose another way.';
    case 'malformed_response':
    case 'verification_failed':
      return `We could not verify your security key or passkey. ${signIn ? 'Try again, or sign in with your password.' : TRY_AGAIN_OR_OTHER}`;
  }
}
