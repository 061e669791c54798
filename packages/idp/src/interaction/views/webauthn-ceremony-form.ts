import { csrfInput } from './form-parts.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { icon } from './icons.ts';

/** The scripts a page with a WebAuthn ceremony loads, in order: the library, then our page script. */
export const WEBAUTHN_SCRIPTS: readonly string[] = [
  '/assets/simplewebauthn-browser.js',
  '/assets/webauthn.js',
];

/**
 * A form that runs a WebAuthn ceremony in the browser and posts its result.
 *
 * WebAuthn needs JavaScript: `/assets/webauthn.js` fetches the options from `optionsAction`, asks the
 * authenticator, puts the JSON result in the `response` field and submits the form to `action`. The
 * form stays hidden until that script shows it; without JavaScript, or in a browser without WebAuthn,
 * the page shows `withoutJavaScript` / `unsupported` instead, when given (the page's other ways in
 * remain). Wrappers carry the `hidden` attribute, never a styled element, so CSS cannot unhide them.
 */
export function webauthnCeremonyForm(options: {
  ceremony: 'register' | 'authenticate';
  action: string;
  optionsAction: string;
  csrfToken: string;
  buttonLabel: string;
  buttonStyle: 'primary' | 'secondary';
  withoutJavaScript?: string;
  unsupported?: string;
  /** More inputs, posted with the response (a name for the new credential, say). */
  fields?: SafeHtml;
}): SafeHtml {
  const { ceremony } = options;
  return html`<div data-webauthn-panel hidden>
<form${options.buttonStyle === 'secondary' ? raw(' class="form-secondary"') : ''} method="post" action="${options.action}" data-webauthn="${ceremony}" data-options-url="${options.optionsAction}">
${csrfInput(options.csrfToken)}
<input type="hidden" name="response" value="">
${options.fields ?? ''}
<div data-webauthn-error hidden><div class="alert alert-error" role="alert"><p></p></div></div>
<button class="button button-${options.buttonStyle}" type="submit">${options.buttonLabel}</button>
</form>
</div>
${options.withoutJavaScript === undefined ? '' : html`<noscript><div class="notice">${icon('info')}<p>${options.withoutJavaScript}</p></div></noscript>`}
${options.unsupported === undefined ? '' : html`<div data-webauthn-unsupported hidden><div class="notice">${icon('info')}<p>${options.unsupported}</p></div></div>`}`;
}
