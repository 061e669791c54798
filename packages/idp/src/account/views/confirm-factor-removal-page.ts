import { csrfInput } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';

/**
 * Asks before a factor is removed: the account page's Remove button lands here, and only the
 * confirmation's own form (with `confirm=yes`) removes it. Plain forms, no script.
 */
export function renderConfirmFactorRemovalPage(options: {
  csrfToken: string;
  /** `<kind>:<id>`, as the account page's forms name it. */
  reference: string;
  name: string;
  kindLabel: string;
}): string {
  const main = html`<div class="card-icon card-icon-error">${icon('alert')}</div>
<h1>Remove ${options.name}?</h1>
<p data-confirm-removal>${options.kindLabel}. Once removed, it no longer signs you in, and browsers you chose to remember will ask for a second factor again.</p>
<form method="post" action="/account/factors/remove">
${csrfInput(options.csrfToken)}<input type="hidden" name="factor" value="${options.reference}">
<input type="hidden" name="confirm" value="yes">
<div class="actions">
<button class="button button-primary button-danger" type="submit">Yes, remove it</button>
<a class="button button-secondary" href="/account">Keep it</a>
</div>
</form>`;
  return renderDocument({ title: `Remove ${options.name}`, main });
}
