import { csrfInput } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/** At or below this many codes left the page urges a new set. */
const FEW_CODES_LEFT = 3;

function describeRemaining(remaining: number): string {
  if (remaining === 0) return 'That was your last recovery code.';
  return remaining === 1 ? 'You have 1 recovery code left.' : `You have ${remaining} recovery codes left.`;
}

/**
 * After a sign-in with a recovery code: how many are left, and the offer of a new set (which voids the
 * old one) before continuing.
 */
export function renderRecoveryCodeUsedPage(options: {
  regenerateAction: string;
  continueAction: string;
  csrfToken: string;
  clientName: string;
  remaining: number;
}): string {
  const few = options.remaining <= FEW_CODES_LEFT;
  const main = html`<div class="card-icon">${icon('check')}</div>
<p class="eyebrow">Two-step verification</p>
<h1>You used a recovery code</h1>
<p id="recovery-codes-left"><strong>${describeRemaining(options.remaining)}</strong> The code you used won't work again.</p>
${
  few
    ? html`<div class="notice">${icon('info')}<p>Get a new set now so you don't run out. If you lost your phone or security key, also set up a new one in your account.</p></div>`
    : html`<p>If you lost your phone or security key, set up a new one in your account.</p>`
}
<div class="actions">
<form method="post" action="${options.regenerateAction}">
${csrfInput(options.csrfToken)}
<button class="button ${few ? 'button-primary' : 'button-secondary'}" type="submit">Get new recovery codes</button>
</form>
<form class="form-secondary" method="post" action="${options.continueAction}">
${csrfInput(options.csrfToken)}
<button class="button ${few ? 'button-secondary' : 'button-primary'}" type="submit">Continue to <span class="client-name">${options.clientName}</span></button>
</form>
</div>`;

  return renderDocument({ title: 'You used a recovery code', main });
}
