import { csrfInput } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * A new set of recovery codes, shown this once: the store keeps only their hashes. The person confirms
 * they saved them, and the sign-in continues.
 */
export function renderRecoveryCodeIssuedPage(options: {
  continueAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  codes: readonly string[];
  /** True when these replace a set the person had: the old codes no longer work. */
  replacedOldSet: boolean;
}): string {
  const main = html`<div class="card-icon">${icon('lock')}</div>
<p class="eyebrow">Two-step verification</p>
<h1>Save your recovery codes</h1>
<p>If you lose access to your second factor, each of these codes lets you sign in once. Keep them somewhere safe, such as a password manager or a printed copy. <strong>You won't see them again.</strong></p>
${
  options.replacedOldSet
    ? html`<div class="notice">${icon('info')}<p>Your old recovery codes no longer work.</p></div>`
    : ''
}
<p class="account">Account <strong>${options.username}</strong></p>
<ol class="recovery-codes" aria-label="Recovery codes">
${options.codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>
<form method="post" action="${options.continueAction}">
${csrfInput(options.csrfToken)}
<button class="button button-primary" type="submit">I saved them — continue to <span class="client-name">${options.clientName}</span></button>
</form>`;

  return renderDocument({ title: 'Save your recovery codes', main });
}
