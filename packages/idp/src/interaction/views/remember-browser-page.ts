import { csrfInput } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * After a second factor, when the application's rules allow it: the person may let this browser skip
 * that step for a while. Unticked by default; on a shared computer the answer should be no.
 */
export function renderRememberBrowserPage(options: {
  action: string;
  csrfToken: string;
  clientName: string;
  username: string;
  days: number;
}): string {
  const main = html`<div class="card-icon">${icon('shield')}</div>
<p class="eyebrow">Two-step verification</p>
<h1>You're verified</h1>
<p class="account">Signed in as <strong>${options.username}</strong></p>
<form method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
<div class="field field-checkbox">
<input type="checkbox" id="remember" name="remember" value="yes">
<label for="remember">Remember this browser for ${options.days} day${options.days === 1 ? '' : 's'}</label>
<p class="field-hint" id="remember-hint">Only on a computer you alone use. <span class="client-name">${options.clientName}</span> then won't ask for your second factor here unless it needs extra assurance. Removing a factor or choosing “Forget remembered browsers” on your account page undoes this.</p>
</div>
<button class="button button-primary" type="submit">Continue to <span class="client-name">${options.clientName}</span></button>
</form>`;
  return renderDocument({ title: 'Remember this browser?', main });
}
