import type { AuthenticationSummary } from '../authentication-summary.ts';
import { renderAuthenticationDetails } from './authentication-details.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { type PageChrome, renderDocument } from './layout.ts';

/** `/profile`: who the person is and how they signed in, with the raw claims behind a disclosure. */
export function renderProfilePage(options: {
  chrome: PageChrome;
  name: string;
  username: string | undefined;
  sub: string;
  summary: AuthenticationSummary;
  acr: string | undefined;
  authTime: number | undefined;
  salaryUnlocked: boolean;
  /** The ID token's payload, pretty-printed JSON. */
  rawClaims: string;
}): string {
  const main = html`<div class="card-icon">${icon('user')}</div>
<p class="eyebrow">Your profile</p>
<h1>${options.name}</h1>
${options.name === (options.username ?? options.sub) ? '' : html`<p class="account">Signed in as <strong>${options.username ?? options.sub}</strong></p>`}
<h2>How you signed in</h2>
${renderAuthenticationDetails(options.summary, { acr: options.acr, ...(options.authTime === undefined ? {} : { auth_time: options.authTime }) })}
<div class="notice${options.salaryUnlocked ? ' notice-ok' : ''}" id="salary-access">${icon(options.salaryUnlocked ? 'unlock' : 'lock')}<p>${
    options.salaryUnlocked
      ? html`This sign-in opens the <a href="/salary">salary page</a>.`
      : html`The <a href="/salary">salary page</a> will ask you for a second step first.`
  }</p></div>
<details class="raw-claims">
<summary>Raw ID token claims</summary>
<p class="muted">What the sign-in service signed, as this app verified it at sign-in. Your subject identifier is <code>${options.sub}</code>.</p>
<pre id="raw-claims"><code>${options.rawClaims}</code></pre>
</details>`;
  return renderDocument({
    title: 'Profile',
    chrome: { ...options.chrome, current: 'profile' },
    main,
    wide: true,
  });
}
