import { alternativesForm, cancelForm, errorAlert } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';
import { WEBAUTHN_SCRIPTS, webauthnCeremonyForm } from './webauthn-ceremony-form.ts';

/**
 * Adding a security key or passkey for an account that has no second factor yet (trust on first use).
 * `error` says what went wrong and what to do next.
 */
export function renderWebAuthnEnrollmentPage(options: {
  action: string;
  optionsAction: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  error?: string;
  /** Other factors the person can set up instead, and where to post the choice. */
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
}): string {
  const { error } = options;
  const invalid = error !== undefined;
  const other = options.alternatives !== undefined && options.alternatives.choices.length > 0;

  const main = html`${secondFactorIntro({
    icon: 'shield',
    heading: 'Add a security key or passkey',
    purpose: 'enrollment',
    clientName: options.clientName,
    username: options.username,
    instructions: html`Add a passkey, kept by this device and unlocked with your fingerprint, face or screen lock, or a security key you plug in or tap. You only do this once.`,
  })}
${invalid ? errorAlert('webauthn-error', error) : ''}
${webauthnCeremonyForm({
  ceremony: 'register',
  action: options.action,
  optionsAction: options.optionsAction,
  csrfToken: options.csrfToken,
  buttonLabel: 'Add security key or passkey',
  buttonStyle: 'primary',
  withoutJavaScript: other
    ? 'Adding a security key or passkey needs JavaScript, which is off in this browser. Turn it on and reload, or set up another way below.'
    : 'Adding a security key or passkey needs JavaScript, which is off in this browser. Turn it on and reload this page.',
  unsupported: other
    ? 'This browser cannot use security keys or passkeys. Set up another way below, or use another browser.'
    : 'This browser cannot use security keys or passkeys. Use another browser, such as a current Chrome, Edge, Firefox or Safari.',
})}
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Set up two-step verification' : 'Set up two-step verification',
    main,
    scripts: WEBAUTHN_SCRIPTS,
  });
}
