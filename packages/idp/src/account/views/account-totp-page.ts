import { authenticatorAppConfirmationField } from '../../interaction/views/authenticator-app-confirmation-field.ts';
import { codeEntryForm } from '../../interaction/views/code-entry-form.ts';
import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';

/** Adding an authenticator app from the account page: scan, then confirm with one code. */
export function renderAccountTotpPage(options: {
  csrfToken: string;
  qrCodeDataUrl: string;
  secret: string;
  error?: string;
}): string {
  if (!options.qrCodeDataUrl.startsWith('data:image/')) {
    throw new TypeError('renderAccountTotpPage: qrCodeDataUrl must be a data:image/… URL');
  }
  const invalid = options.error !== undefined;
  const grouped = options.secret.match(/.{1,4}/g)?.join(' ') ?? '';
  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Your account</p>
<h1>Add an authenticator app</h1>
<ol class="steps">
<li>
<h2>Scan the QR code</h2>
<p>In an authenticator app, add an account and scan this code.</p>
<img class="qr-code" src="${options.qrCodeDataUrl}" width="180" height="180" alt="QR code that adds your Stepup account to an authenticator app">
<p class="manual-key-label">Can't scan it? Enter this key by hand and choose “time-based” if asked:</p>
<code class="secret">${grouped}</code>
</li>
<li>
<h2>Name it and enter the 6-digit code</h2>
${codeEntryForm({
  action: '/account/totp',
  csrfToken: options.csrfToken,
  feedback: invalid ? errorAlert('code-error', options.error ?? '') : '',
  fields: html`<div class="field">
<label for="name">Name</label>
<input class="input" type="text" id="name" name="name" value="Authenticator app" maxlength="64" required>
</div>
${authenticatorAppConfirmationField(invalid)}`,
  submitLabel: 'Add it',
})}
</li>
</ol>
<p><a href="/account">Back to your account</a></p>`;
  return renderDocument({
    title: invalid ? 'Error: Add an authenticator app' : 'Add an authenticator app',
    main,
  });
}
