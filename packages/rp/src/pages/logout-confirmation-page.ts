import { escapeHtml } from './escape-html.ts';

/**
 * What a GET of the logout route shows: one button that posts the logout. A link or an image on
 * another site can make a browser GET any URL, so a GET ends nothing by itself.
 */
export function renderLogoutConfirmationPage(logoutPath: string, homeUrl: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1d2330}h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1.25rem;border-radius:.4rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}a{margin-left:1rem}</style>
</head>
<body>
<main>
<h1>Sign out?</h1>
<p>You will be signed out of this application and of the sign-in service.</p>
<form method="post" action="${escapeHtml(logoutPath)}"><button type="submit">Sign out</button><a href="${escapeHtml(homeUrl)}">Stay signed in</a></form>
</main>
</body>
</html>`;
  return new Response(html, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'x-frame-options': 'DENY',
    },
  });
}
