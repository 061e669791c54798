import { csrfInput } from './form-parts.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The form that posts a code: the CSRF token, what went wrong (or how many tries are left) above the
 * fields, the fields, and one primary button.
 */
export function codeEntryForm(options: {
  action: string;
  csrfToken: string;
  /** The error or tries-left notice the fields point at with `aria-describedby`; empty when all is well. */
  feedback: SafeHtml | string;
  fields: SafeHtml;
  submitLabel: string;
}): SafeHtml {
  return html`<form method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
${options.feedback}
${options.fields}
<button class="button button-primary" type="submit">${options.submitLabel}</button>
</form>`;
}
