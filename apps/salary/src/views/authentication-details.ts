import type { AuthenticationSummary } from '../authentication-summary.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The "how you signed in" list: level, methods, the time of the sign-in and, when the provider says
 * it, of the second step, with the claim each line comes from.
 */
export function renderAuthenticationDetails(
  summary: AuthenticationSummary,
  claims: { acr?: string; auth_time?: number },
): SafeHtml {
  const methods =
    summary.methods.length === 0
      ? html`<p>Not stated (the token has no <code>amr</code>).</p>`
      : html`<ul class="method-list">${summary.methods.map(
          (method) => html`<li>${method.label} <code>${method.amr}</code></li>`,
        )}</ul>`;
  return html`<dl class="facts">
<div>
<dt>Level <span class="claim">acr</span></dt>
<dd><strong>${summary.level.title}</strong>${summary.multiFactor ? html` <span class="badge badge-ok">MFA</span>` : ''}
<p class="muted">${summary.level.detail}</p>
${claims.acr === undefined ? '' : html`<p class="claim-value"><code>${claims.acr}</code></p>`}</dd>
</div>
<div>
<dt>Methods <span class="claim">amr</span></dt>
<dd>${methods}</dd>
</div>
<div>
<dt>Signed in <span class="claim">auth_time</span></dt>
<dd>${
    summary.when === undefined
      ? 'Not stated (the token has no auth_time).'
      : html`<time datetime="${summary.when.iso}">${summary.when.relative}</time> <span class="muted">(${summary.when.utc})</span>${
          !summary.multiFactor
            ? ''
            : summary.reached === undefined
              ? html`<p class="muted">When the first step was made; the second came after it.</p>`
              : html`<p class="muted">When the first step was made.</p>`
        }`
  }</dd>
</div>
${
  summary.multiFactor && summary.reached !== undefined
    ? html`<div>
<dt>Second step <span class="claim">acr_time</span></dt>
<dd><time datetime="${summary.reached.iso}">${summary.reached.relative}</time> <span class="muted">(${summary.reached.utc})</span></dd>
</div>`
    : ''
}
</dl>`;
}
