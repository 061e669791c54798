import { html, type SafeHtml } from './html.ts';
import { type IconName, icon } from './icons.ts';

/**
 * The top of every second-factor page in a login: icon, "Two-step verification", the heading, why the
 * client asks for a second factor, what to do, and whose account this is.
 *
 * `purpose` is `'enrollment'` when the account has no second factor yet and the page sets one up; the
 * explanation then says so before `instructions`.
 */
export function secondFactorIntro(options: {
  icon: IconName;
  heading: string;
  purpose: 'challenge' | 'enrollment';
  clientName: string;
  username: string;
  /** One or two sentences after the explanation, telling the person what to do on this page. */
  instructions: SafeHtml;
}): SafeHtml {
  const noneYet = options.purpose === 'enrollment' ? html`, and your account doesn't have one yet` : '';
  return html`<div class="card-icon">${icon(options.icon)}</div>
<p class="eyebrow">Two-step verification</p>
<h1>${options.heading}</h1>
<p><span class="client-name">${options.clientName}</span> needs a second factor for this page${noneYet}. ${options.instructions}</p>
<p class="account">Signed in as <strong>${options.username}</strong></p>`;
}
