import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * For errors that cannot be sent back to the application, e.g. an unregistered `redirect_uri`
 * (OAuth 2.0 RFC 6749 4.1.2.1: the provider must not redirect then). `message` is public text only;
 * internal detail belongs in the log under `reference`.
 */
export function renderErrorPage(options: {
  title: string;
  message: string;
  hint?: string;
  reference?: string;
}): string {
  const { hint, reference } = options;
  const main = html`<div class="card-icon card-icon-error">${icon('alert')}</div>
<h1>${options.title}</h1>
<p>${options.message}</p>
${hint === undefined ? '' : html`<p>${hint}</p>`}
${
  reference === undefined
    ? ''
    : html`<p class="reference">If you contact support, quote this reference: <code>${reference}</code></p>`
}`;

  return renderDocument({ title: options.title, main });
}
