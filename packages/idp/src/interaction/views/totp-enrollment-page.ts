import { alternativesForm, cancelForm, csrfInput, errorAlert, oneTimeCodeField } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

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

  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Two-step verification</p>
<h1>Set up an authenticator app</h1>
<p><span class="client-name">${options.clientName}</span> needs a second factor for this page, and your account doesn't have one yet. It takes about a minute, and you only do it once.</p>
<p class="account">Signed in as <strong>${options.username}</strong></p>
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
<form method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
${invalid ? errorAlert('code-error', error) : ''}
${oneTimeCodeField({
  label: 'Code from the app',
  hint: 'This confirms the app is set up correctly.',
  describedByIds: invalid ? ['code-error'] : [],
  invalid,
  autofocus: invalid,
})}
<button class="button button-primary" type="submit">Turn on and continue</button>
</form>
</li>
</ol>
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Set up two-step verification' : 'Set up two-step verification',
    main,
  });
}
