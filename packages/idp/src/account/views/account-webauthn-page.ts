import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { WEBAUTHN_SCRIPTS, webauthnCeremonyForm } from '../../interaction/views/webauthn-ceremony-form.ts';

/**
 * Adding a security key or passkey from the account page. The ceremony runs in the page
 * (`/assets/webauthn.js`): options from `/account/webauthn/options`, the result posted to
 * `/account/webauthn` with the optional name. `error` says what went wrong and what to do next.
 */
export function renderAccountWebAuthnPage(options: { csrfToken: string; error?: string }): string {
  const { error } = options;
  const invalid = error !== undefined;
  const main = html`<div class="card-icon">${icon('shield')}</div>
<p class="eyebrow">Your account</p>
<h1>Add a security key or passkey</h1>
<p>A passkey is kept by this device and unlocked with your fingerprint, face or screen lock; a security key is one you plug in or tap. Either one only works on this site, so a look-alike page cannot use it.</p>
${invalid ? errorAlert('webauthn-error', error) : ''}
${webauthnCeremonyForm({
  ceremony: 'register',
  action: '/account/webauthn',
  optionsAction: '/account/webauthn/options',
  csrfToken: options.csrfToken,
  buttonLabel: 'Add security key or passkey',
  buttonStyle: 'primary',
  fields: html`<div class="field">
<label for="name">Name <span class="muted">(optional)</span></label>
<input class="input" type="text" id="name" name="name" value="" maxlength="64" placeholder="Security key or Passkey">
</div>`,
  withoutJavaScript:
    'Adding a security key or passkey needs JavaScript, which is off in this browser. Turn it on and reload this page.',
  unsupported:
    'This browser cannot use security keys or passkeys. Use another browser, such as a current Chrome, Edge, Firefox or Safari.',
})}
<p><a href="/account">Back to your account</a></p>`;
  return renderDocument({
    title: invalid ? 'Error: Add a security key or passkey' : 'Add a security key or passkey',
    main,
    scripts: WEBAUTHN_SCRIPTS,
  });
}
