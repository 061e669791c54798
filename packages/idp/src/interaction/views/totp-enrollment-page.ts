import { authenticatorAppConfirmationField } from './authenticator-app-confirmation-field.ts';
import { codeEntryForm } from './code-entry-form.ts';
import { alternativesForm, cancelForm, errorAlert } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';

/** Blocks of 4 are easier to copy by eye; authenticator apps ignore the spaces. */
function groupSecret(secret: string): string {
  const compact = secret.replace(/\s+/g, '');
  return compact.match(/.{1,4}/g)?.join(' ') ?? '';
}

/**
 * Setting up TOTP for an account that has no second factor yet: scan (or type) the key, then prove it
 * works with one code before it is turned on.
 *
 * `error` should say what to do next, e.g. "That code didn't match. Check the app shows Stepup and enter
 * the newest code."
 */
export function renderTotpEnrollmentPage(options: {
  action: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  qrCodeDataUrl: string;
  secret: string;
  otpauthUri: string;
  error?: string;
  /** Other factors the person can switch to, and where to post the choice. */
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
}): string {
  // These land in src/href; anything else is a bug in the caller, not something to render.
  if (!options.qrCodeDataUrl.startsWith('data:image/')) {
    throw new TypeError('renderTotpEnrollmentPage: qrCodeDataUrl must be a data:image/… URL');
  }
  if (!options.otpauthUri.startsWith('otpauth://')) {
    throw new TypeError('renderTotpEnrollmentPage: otpauthUri must start with otpauth://');
  }
  const { error } = options;
  const invalid = error !== undefined;

  const main = html`${secondFactorIntro({
    icon: 'phone',
    heading: 'Set up an authenticator app',
    purpose: 'enrollment',
    clientName: options.clientName,
    username: options.username,
    instructions: html`It takes about a minute, and you only do it once.`,
  })}
<ol class="steps">
<li>
<h2>Scan the QR code</h2>
<p>In an authenticator app such as Google Authenticator, Microsoft Authenticator or 1Password, add an account and scan this code.</p>
<img class="qr-code" src="${options.qrCodeDataUrl}" width="180" height="180" alt="QR code that adds your Stepup account to an authenticator app">
<p class="manual-key-label">Can't scan it? Enter this key by hand and choose “time-based” if asked:</p>
<code class="secret">${groupSecret(options.secret)}</code>
<p class="app-link"><a href="${options.otpauthUri}">Open in authenticator app</a> <span class="muted">(on this phone)</span></p>
</li>
<li>
<h2>Enter the 6-digit code</h2>
${codeEntryForm({
  action: options.action,
  csrfToken: options.csrfToken,
  feedback: invalid ? errorAlert('code-error', error) : '',
  fields: authenticatorAppConfirmationField(invalid),
  submitLabel: 'Turn on and continue',
})}
</li>
</ol>
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Set up two-step verification' : 'Set up two-step verification',
    main,
  });
}
