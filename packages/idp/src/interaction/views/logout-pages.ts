import { html, raw } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * Asks before ending the session (OIDC RP-Initiated Logout 1.0, section 2). `form` is oidc-provider's
 * `logoutSource` markup: an empty `<form id="op.logoutForm">` with hidden inputs, including its own
 * CSRF token. The buttons live outside it and submit it through the `form` attribute.
 */
export function renderLogoutConfirmPage(options: { form: string; clientName?: string }): string {
  const { clientName } = options;
  const main = html`<div class="card-icon">${icon('signOut')}</div>
<h1>Sign out of Stepup?</h1>
${
  clientName === undefined
    ? html`<p>An app asked to sign you out.</p>`
    : html`<p><span class="client-name">${clientName}</span> asked to sign you out.</p>`
}
<p>Signing out ends your Stepup session on this device, so you will need to sign in again next time.</p>
${raw(options.form)}
<div class="actions">
<button class="button button-primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button class="button button-secondary" type="submit" form="op.logoutForm">Stay signed in</button>
</div>`;

  return renderDocument({ title: 'Sign out', main });
}

/** Shown when logout finished and there is no `post_logout_redirect_uri` to return to. */
export function renderLogoutSuccessPage(options: { clientName?: string }): string {
  const { clientName } = options;
  const main = html`<div class="card-icon">${icon('check')}</div>
<h1>You're signed out</h1>
<p>You have signed out of Stepup on this device.</p>
${
  clientName === undefined
    ? ''
    : html`<p>Next time you use <span class="client-name">${clientName}</span>, you will need to sign in again.</p>`
}
<p>You can close this tab now.</p>`;

  return renderDocument({ title: 'Signed out', main });
}
