import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { newPasswordFields } from '../../interaction/views/new-password-fields.ts';
import { WEBAUTHN_SCRIPTS, webauthnCeremonyForm } from '../../interaction/views/webauthn-ceremony-form.ts';

/** What the reset page shows: the form, a link that no longer works, or the password changed. */
export type ResetPasswordPageState =
  | {
      state: 'form';
      token: string;
      username: string;
      minLength: number;
      /**
       * What the person proves with the new password: nothing (no second factor), a code from their
       * authenticator app (or a recovery code), their security key or passkey (the form runs the
       * ceremony), or `push`: their phone already approved this link's request.
       */
      proof: 'none' | 'code' | 'webauthn' | 'push';
      error?: string;
    }
  | { state: 'invalid' }
  | { state: 'needs-help' }
  | { state: 'done' };

export function renderResetPasswordPage(page: ResetPasswordPageState): string {
  switch (page.state) {
    case 'invalid':
      return renderDocument({
        title: 'Link no longer works',
        main: html`<div class="card-icon card-icon-error">${icon('alert')}</div>
<h1>This link no longer works</h1>
<p data-reset-link-invalid>It has expired, was used already, or your password changed since it was sent.</p>
<p><a class="button button-primary" href="/account/password/forgot">Ask for a new link</a></p>`,
      });
    case 'needs-help':
      return renderDocument({
        title: 'Ask your administrator',
        main: html`<div class="card-icon card-icon-error">${icon('alert')}</div>
<h1>Ask your administrator</h1>
<p data-reset-needs-help>Your account's second factor is switched off on this service, and you have no recovery codes. To keep your account safe, an administrator has to reset your password.</p>`,
      });
    case 'done':
      return renderDocument({
        title: 'Password changed',
        main: html`<div class="card-icon">${icon('check')}</div>
<h1>Your password was changed</h1>
<p data-reset-done>Sign in with your new password. Your other sign-ins were ended.</p>
<p><a class="button button-primary" href="/account">Go to your account</a></p>`,
      });
    case 'form': {
      const errorId = page.error === undefined ? {} : { errorId: 'reset-error' };
      const passwordFields = html`<input type="hidden" name="token" value="${page.token}">
${page.error === undefined ? '' : errorAlert('reset-error', page.error)}
${newPasswordFields({ minLength: page.minLength, ...errorId })}`;
      const intro = html`<div class="card-icon">${icon('lock')}</div>
<h1>Choose a new password</h1>
<p class="account">For <strong>${page.username}</strong></p>`;
      if (page.proof === 'webauthn') {
        return renderDocument({
          title: 'Choose a new password',
          main: html`${intro}
<p>Your account has a security key or passkey, so resetting the password needs it too. After typing the new password, touch your key or confirm with your screen lock when asked.</p>
${webauthnCeremonyForm({
  ceremony: 'authenticate',
  action: '/account/password/reset',
  optionsAction: '/account/password/reset/webauthn/options',
  // The options request carries the link's token where a login carries its CSRF token.
  csrfToken: page.token,
  buttonLabel: 'Use my security key and set the password',
  buttonStyle: 'primary',
  withoutJavaScript:
    'Security keys and passkeys need JavaScript, which is off in this browser. Turn it on and reload this page.',
  unsupported:
    'This browser cannot use security keys or passkeys. Open the link in another browser, such as a current Chrome, Edge, Firefox or Safari.',
  fields: passwordFields,
})}`,
          scripts: WEBAUTHN_SCRIPTS,
        });
      }
      return renderDocument({
        title: 'Choose a new password',
        main: html`${intro}
${page.proof === 'push' ? html`<p class="hint" data-reset-push-approved>Approved on your phone. Now choose the new password.</p>` : ''}
<form method="post" action="/account/password/reset">
${passwordFields}
${
  page.proof === 'code'
    ? html`<div class="field">
<label for="code">Code from your authenticator app, or a recovery code</label>
<input class="input" type="text" id="code" name="code" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="64" required>
<p class="hint">Your account has a second factor, so resetting the password needs it too.</p>
</div>`
    : ''
}
<button class="button button-primary" type="submit">Set new password</button>
</form>`,
      });
    }
  }
}
