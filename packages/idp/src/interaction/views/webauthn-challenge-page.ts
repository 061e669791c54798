import { alternativesForm, cancelForm, errorAlert } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';
import { WEBAUTHN_SCRIPTS, webauthnCeremonyForm } from './webauthn-ceremony-form.ts';

/**
 * The second factor for an account with a security key or passkey: one button that asks the
 * authenticator. `error` says what went wrong and what to do next.
 */
export function renderWebAuthnChallengePage(options: {
  action: string;
  optionsAction: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  error?: string;
  /** A transaction-bound login (RFC 9396): what the assertion approves, shown before the ceremony. */
  transaction?: string;
  /** Other factors the person can switch to, and where to post the choice. */
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
}): string {
  const { error } = options;
  const invalid = error !== undefined;
  const other = options.alternatives !== undefined && options.alternatives.choices.length > 0;

  const main = html`${secondFactorIntro({
    icon: 'shield',
    heading: 'Use your security key or passkey',
    purpose: 'challenge',
    clientName: options.clientName,
    username: options.username,
    instructions: html`Select Continue, then touch your security key, or confirm with your fingerprint, face or screen lock when asked.`,
  })}
${
  options.transaction
    ? html`<p class="push-transaction" data-transaction><strong>You are approving:</strong> ${options.transaction}</p>
<p class="muted">Your security key signs a challenge made from these details. A code from an app, an email or a recovery code cannot show what you approve.</p>
`
    : ''
}${invalid ? errorAlert('webauthn-error', error) : ''}
${webauthnCeremonyForm({
  ceremony: 'authenticate',
  action: options.action,
  optionsAction: options.optionsAction,
  csrfToken: options.csrfToken,
  buttonLabel: 'Continue',
  buttonStyle: 'primary',
  withoutJavaScript: other
    ? 'Security keys and passkeys need JavaScript, which is off in this browser. Turn it on and reload, or choose another way below.'
    : 'Security keys and passkeys need JavaScript, which is off in this browser. Turn it on and reload this page.',
  unsupported: other
    ? 'This browser cannot use security keys or passkeys. Choose another way below, or use another browser.'
    : 'This browser cannot use security keys or passkeys. Use another browser, such as a current Chrome, Edge, Firefox or Safari.',
})}
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Two-step verification' : 'Two-step verification',
    main,
    scripts: WEBAUTHN_SCRIPTS,
  });
}
