import { html, type SafeHtml } from './html.ts';
import { brandMark } from './icons.ts';

/**
 * Wraps a page's main content in the shared document: one stylesheet, no inline script or style,
 * nothing external, so it renders under `default-src 'none'; style-src 'self'; script-src 'self';
 * img-src 'self' data:`. `scripts` are paths on this origin (e.g. `/assets/webauthn.js`), loaded
 * deferred in order; most pages have none.
 */
export function renderDocument(options: {
  title: string;
  main: SafeHtml;
  scripts?: readonly string[];
  /** More head elements from this origin: a stylesheet, a manifest, a `<noscript>` refresh. */
  head?: SafeHtml;
}): string {
  return html`${documentStart(options.title)}
${options.head ?? ''}${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`)}</head>
<body>
<header class="site-header">
<p class="brand">${brandMark()}<span>Stepup</span></p>
</header>
<main class="card">
${options.main}
</main>
<footer class="site-footer">Never share your password or a sign-in code with anyone.</footer>
</body>
</html>
`.toString();
}

/**
 * The start of every provider document, up to and with the shared stylesheet in `<head>`: not
 * indexed, light and dark, no favicon request. The caller adds its own head elements and closes it.
 */
export function documentStart(title: string): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${title} – Stepup</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/stepup.css">`;
}
