import { csrfInput, describedBy, errorAlert } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * The first factor: username and password.
 *
 * `error` should say what went wrong and what to do next, e.g. "That username and password don't match.
 * Check them and try again." `stepUpReason` is set when the app asked for a stronger sign-in.
 */
export function renderLoginPage(options: {
  action: string;
  csrfToken: string;
  clientName: string;
  username?: string;
  error?: string;
  stepUpReason?: string;
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
</form>`;

  return renderDocument({ title: invalid ? 'Error: Sign in' : 'Sign in', main });
}
