import { csrfInput, describedBy, errorAlert } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';
import { WEBAUTHN_SCRIPTS, webauthnCeremonyForm } from './webauthn-ceremony-form.ts';

/**
 * The first factor: username and password.
 *
 * `error` should say what went wrong and what to do next, e.g. "That username and password don't match.
 * Check them and try again." `stepUpReason` is set when the app asked for a stronger sign-in.
 * `passkey`, when set, also offers "Sign in with a passkey" (shown only where JavaScript and WebAuthn
 * work; the password form stays the way in for every other browser).
 */
export function renderLoginPage(options: {
  action: string;
  csrfToken: string;
  clientName: string;
  username?: string;
  error?: string;
  stepUpReason?: string;
  passkey?: { action: string; optionsAction: string };
}): string {
  const { error, stepUpReason } = options;
  const username = options.username ?? '';
  const invalid = error !== undefined;
  const errorIds = invalid ? ['login-error'] : [];
  // Focus the first field that still needs typing; a remembered username skips straight to the password.
  const focusUsername = username === '';

  const main = html`<div class="card-icon">${icon('lock')}</div>
<h1>Sign in to continue to <span class="client-name">${options.clientName}</span></h1>
${stepUpReason === undefined ? '' : html`<div class="notice">${icon('info')}<p>${stepUpReason}</p></div>`}
<form method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
${invalid ? errorAlert('login-error', error) : ''}
<div class="field">
<label for="username">Username or email</label>
<input class="input" type="text" id="username" name="username" value="${username}" autocomplete="username" autocapitalize="none" spellcheck="false" required${focusUsername ? html` autofocus` : ''}${describedBy(errorIds, invalid)}>
</div>
<div class="field">
<label for="password">Password</label>
<input class="input" type="password" id="password" name="password" autocomplete="current-password" required${focusUsername ? '' : html` autofocus`}${describedBy(errorIds, invalid)}>
</div>
<button class="button button-primary" type="submit">Sign in</button>
</form>
<p class="muted"><a href="/account/password/forgot">Forgot your password?</a></p>
${
  options.passkey === undefined
    ? ''
    : webauthnCeremonyForm({
        ceremony: 'authenticate',
        action: options.passkey.action,
        optionsAction: options.passkey.optionsAction,
        csrfToken: options.csrfToken,
        buttonLabel: 'Sign in with a passkey',
        buttonStyle: 'secondary',
      })
}`;

  return renderDocument({
    title: invalid ? 'Error: Sign in' : 'Sign in',
    main,
    ...(options.passkey === undefined ? {} : { scripts: WEBAUTHN_SCRIPTS }),
  });
}
