import { escapeHtml } from './escape-html.ts';

/** What the page says. Every text is escaped; links must be same-origin. */
export interface SignInErrorPage {
  status: number;
  title: string;
  message: string;
  /** The stable error code, shown for support. */
  code: string;
  /** What the route required and what the sign-in gave (the loop guard's explanation). */
  required?: string[];
  received?: string[];
  retryUrl?: string;
  homeUrl: string;
}

/**
 * The page a browser sees when a sign-in or a step-up does not complete. For a step-up that came
 * back short it is the loop guard's 403 (ARCHITECTURE.md invariant 5): it explains what was required
 * and what was received, and offers a link — it never redirects by itself.
 */
export function renderSignInErrorPage(page: SignInErrorPage): Response {
  const list = (items: string[]) =>
    items.length === 0
      ? '<p>(nothing)</p>'
      : `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  const section = (id: string, title: string, items: string[] | undefined) =>
    items === undefined
      ? ''
      : `<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${list(items)}</section>`;
  const retry = page.retryUrl === undefined ? '' : `<a href="${escapeHtml(page.retryUrl)}">Try again</a>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1d2330}h1{font-size:1.4rem}h2{font-size:1.05rem}section{border:1px solid #d5d9e0;border-radius:.5rem;padding:.25rem 1rem;margin:1rem 0}a{margin-right:1rem}small{color:#5b6474}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
${section('required', 'Required', page.required)}
${section('received', 'Received', page.received)}
<p>${retry}<a href="${escapeHtml(page.homeUrl)}">Back to the start page</a></p>
<p><small>Error code: <code>${escapeHtml(page.code)}</code></small></p>
</main>
</body>
</html>`;
  return new Response(html, {
    status: page.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}
