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
<ol class="recovery-codes" aria-label="Recovery codes" data-recovery-codes-list>
${options.codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>
<div class="actions">
<a class="button button-secondary" data-recovery-codes-download download="stepup-recovery-codes-${options.username}.txt" href="${recoveryCodesFile(options.username, options.codes)}">Download codes</a>
</div>
<form method="post" action="${options.continueAction}">
${csrfInput(options.csrfToken)}
<button class="button button-primary" type="submit">I saved them — continue to <span class="client-name">${options.clientName}</span></button>
</form>`;

  return renderDocument({ title: 'Save your recovery codes', main, scripts: ['/assets/recovery-codes.js'] });
}

/** The codes as a text file, in a `data:` URL: the download needs no request and no script. */
function recoveryCodesFile(username: string, codes: readonly string[]): string {
  const text = [`Stepup recovery codes for ${username}`, 'Each works once.', '', ...codes, ''].join('\n');
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}
