import { html, type SafeHtml } from './html.ts';
import { brandMark } from './icons.ts';

/** What the header needs to know: where the person is, and whether they are signed in. */
export interface PageChrome {
  /** The nav item to mark as current. */
  current?: 'home' | 'profile' | 'salary';
  /** Signed in: the header offers sign-out (a POST form) instead of sign-in. */
  signedIn: boolean;
  /** The rp's login URL (sign in, come back to the profile). */
  loginUrl: string;
  /** The rp's logout route. */
  logoutPath: string;
}

function navLink(href: string, label: string, current: boolean): SafeHtml {
  return current
    ? html`<a href="${href}" aria-current="page">${label}</a>`
    : html`<a href="${href}">${label}</a>`;
}

/**
 * The document around every page: one stylesheet from this origin, no script, nothing inline, so it
 * renders under the app's `default-src 'none'` CSP.
 */
export function renderDocument(options: {
  title: string;
  main: SafeHtml;
  chrome: PageChrome;
  wide?: boolean;
}): string {
  const { chrome } = options;
  const account = chrome.signedIn
    ? html`<form class="nav-form" method="post" action="${chrome.logoutPath}"><button class="link-button" type="submit">Sign out</button></form>`
    : html`<a class="button button-primary button-small" href="${chrome.loginUrl}">Sign in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${options.title} – Salary</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/salary.css">
</head>
<body>
<header class="site-header">
<a class="brand" href="/">${brandMark()}<span>Salary</span></a>
<nav class="site-nav" aria-label="Main">
${navLink('/profile', 'Profile', chrome.current === 'profile')}
${navLink('/salary', 'Salary', chrome.current === 'salary')}
${account}
</nav>
</header>
<main class="card${options.wide ? ' card-wide' : ''}">
${options.main}
</main>
<footer class="site-footer">Demo company payroll · sign-in by your OpenID provider · the salary page asks for a second step</footer>
</body>
</html>
`.toString();
}
