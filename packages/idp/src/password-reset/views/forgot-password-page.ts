import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';

/**
 * Asks for the username or email address of the account whose password was forgotten; once sent,
 * says the same whether or not an account matched (no enumeration).
 */
export function renderForgotPasswordPage(options: {
  state: 'ask' | 'sent';
  ttlMinutes: number;
  error?: string;
}): string {
  const main =
    options.state === 'sent'
      ? html`<div class="card-icon">${icon('check')}</div>
<h1>Check your email</h1>
<p data-reset-requested>If an account matches what you typed and has an email address, we sent it a link to choose a new password. The link works once, for ${String(options.ttlMinutes)} minutes.</p>
<p class="muted">No email? Check the spam folder, or ask your administrator.</p>`
      : html`<div class="card-icon">${icon('lock')}</div>
<h1>Forgot your password?</h1>
<p>Enter your username or email address. We will email you a link to choose a new password.</p>
<form method="post" action="/account/password/forgot">
${options.error === undefined ? '' : errorAlert('forgot-error', options.error)}
<div class="field">
<label for="login">Username or email</label>
<input class="input" type="text" id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="320" required autofocus>
</div>
<button class="button button-primary" type="submit">Email me a link</button>
</form>`;
  return renderDocument({ title: 'Forgot your password', main });
}
