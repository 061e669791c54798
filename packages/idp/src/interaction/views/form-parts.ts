import { html, raw, type SafeHtml } from './html.ts';

/** Pieces shared by the interaction forms. Each id used here is unique within one page. */

export function csrfInput(csrfToken: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrfToken}">`;
}

/** The error for a form, announced by screen readers; inputs point at it with `aria-describedby`. */
export function errorAlert(id: string, message: SafeHtml | string): SafeHtml {
  return html`<div class="alert alert-error" role="alert" id="${id}">
<p>${message}</p>
</div>`;
}

/** Attributes marking an input as invalid and linking it to its explanation; empty when all is well. */
export function describedBy(ids: readonly string[], invalid: boolean): SafeHtml {
  const invalidAttribute = invalid ? raw(' aria-invalid="true"') : '';
  const describedByAttribute = ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : '';
  return html`${invalidAttribute}${describedByAttribute}`;
}

/** The 6-digit code field: TOTP (RFC 6238 codes as issued by authenticator apps), or a code sent by email. */
export function oneTimeCodeField(options: {
  label: string;
  hint: string;
  /** Where the digits come from, for the browser's validation message. */
  title?: string;
  describedByIds: readonly string[];
  invalid: boolean;
  /** Only where the field is the first thing to do; focusing it further down would scroll past the steps. */
  autofocus: boolean;
}): SafeHtml {
  return html`<div class="field">
<label for="code">${options.label}</label>
<p class="field-hint" id="code-hint">${options.hint}</p>
<input class="input input-code" type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required${options.autofocus ? raw(' autofocus') : ''} title="${options.title ?? 'Enter the 6 digits shown in your authenticator app'}"${describedBy(['code-hint', ...options.describedByIds], options.invalid)}>
</div>`;
}

/** A separate form so that cancelling never submits (or needs) the code. */
export function cancelForm(options: { action: string; csrfToken: string }): SafeHtml {
  return html`<form class="form-secondary" method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
<button class="button button-secondary" type="submit">Cancel</button>
</form>`;
}

/** "Try another way": one button per other factor the person can use, posting the method's name. */
export function alternativesForm(options: {
  action: string;
  csrfToken: string;
  choices: readonly { method: string; label: string }[];
}): SafeHtml {
  if (options.choices.length === 0) return html``;
  return html`<form class="form-secondary alternatives" method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
<p class="alternatives-title">Try another way</p>
${options.choices.map((choice) => html`<button class="button button-secondary" type="submit" name="method" value="${choice.method}">${choice.label}</button>`)}
</form>`;
}
