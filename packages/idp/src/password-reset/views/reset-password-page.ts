import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { newPasswordFields } from '../../interaction/views/new-password-fields.ts';

/** What the reset page shows: the form, a link that no longer works, or the password changed. */
export type ResetPasswordPageState =
  | {
      state: 'form';
      token: string;
      username: string;
      minLength: number;
      /** The person has a second factor: the reset asks for a code from it (or a recovery code). */
      asksForCode: boolean;
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
<p data-reset-needs-help>Your account has a second factor that cannot be checked on this page, and no recovery codes. To keep your account safe, an administrator has to reset your password.</p>`,
      });
    case 'done':
      return renderDocument({
        title: 'Password changed',
        main: html`<div class="card-icon">${icon('check')}</div>
<h1>Your password was changed</h1>
<p data-reset-done>Sign in with your new password. Your other sign-ins were ended.</p>
<p><a class="button button-primary" href="/account">Go to your account</a></p>`,
      });
    case 'form':
      return renderDocument({
        title: 'Choose a new password',
        main: html`<div class="card-icon">${icon('lock')}</div>
<h1>Choose a new password</h1>
<p class="account">For <strong>${page.username}</strong></p>
<form method="post" action="/account/password/reset">
<input type="hidden" name="token" value="${page.token}">
${page.error === undefined ? '' : errorAlert('reset-error', page.error)}
${newPasswordFields({ minLength: page.minLength, ...(page.error === undefined ? {} : { errorId: 'reset-error' }) })}
${
  page.asksForCode
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
