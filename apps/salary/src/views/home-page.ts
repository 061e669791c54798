import { html } from './html.ts';
import { icon } from './icons.ts';
import { type PageChrome, renderDocument } from './layout.ts';

/** The start page: what the app is, and the two ways in. */
export function renderHomePage(options: {
  chrome: PageChrome;
  /** The signed-in person's name, when there is one. */
  name?: string;
  /** Whether the current session already opens the salary page. */
  salaryUnlocked: boolean;
}): string {
  const { name } = options;
  const intro =
    name === undefined
      ? html`<p class="eyebrow">Demo company payroll</p>
<h1>Your pay, behind a second step</h1>
<p>Sign in with your password to see your profile. Your salary history asks for one more step first: a sign-in request on your phone, a code from an authenticator app, or a security key.</p>
<div class="actions">
<a class="button button-primary" href="${options.chrome.loginUrl}">Sign in</a>
<a class="button button-secondary" href="/salary">Open my salary</a>
</div>`
      : html`<p class="eyebrow">Demo company payroll</p>
<h1>Hello, ${name}</h1>
<p>You are signed in. Where to?</p>`;
  const tiles = html`<ul class="tiles">
<li><a class="tile" href="/profile"><span class="tile-icon">${icon('user')}</span><span><strong>Profile</strong><span class="muted">Who you are and how you signed in.</span></span></a></li>
<li><a class="tile" href="/salary"><span class="tile-icon">${icon(options.salaryUnlocked ? 'unlock' : 'lock')}</span><span><strong>Salary</strong><span class="muted">${
    options.salaryUnlocked
      ? 'Unlocked: you used two-step verification.'
      : 'Asks for a second step: your phone, a code or a security key.'
  }</span></span></a></li>
</ul>`;
  return renderDocument({
    title: name === undefined ? 'Welcome' : 'Home',
    chrome: { ...options.chrome, current: 'home' },
    main: html`${intro}
${tiles}`,
  });
}
