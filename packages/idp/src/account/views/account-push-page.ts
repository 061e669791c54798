import { csrfInput } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';

/** Adding a push device from the account page: a single-use enrollment link, as a QR code too. */
export function renderAccountPushPage(options: {
  qrCodeDataUrl: string;
  link: string;
  ttlSeconds: number;
  csrfToken: string;
}): string {
  if (!options.qrCodeDataUrl.startsWith('data:image/')) {
    throw new TypeError('renderAccountPushPage: qrCodeDataUrl must be a data:image/… URL');
  }
  if (!/^https?:\/\//.test(options.link))
    throw new TypeError('renderAccountPushPage: link must be an http(s) URL');
  const minutes = Math.max(1, Math.round(options.ttlSeconds / 60));
  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Your account</p>
<h1>Add a phone for sign-in requests</h1>
<ol class="steps">
<li>
<h2>Scan the QR code with your phone</h2>
<img class="qr-code" src="${options.qrCodeDataUrl}" width="180" height="180" alt="QR code that opens the Stepup authenticator and adds your phone">
<p class="manual-key-label">Or open this link on the device. It works once, for ${minutes} minute${minutes === 1 ? '' : 's'}:</p>
<p class="push-link"><a href="${options.link}">${options.link}</a></p>
<details class="push-terminal">
<summary>Using a terminal instead?</summary>
<pre><code>stepup-authenticator enroll '${options.link}' --key-file ./stepup-device.json --name "My terminal"</code></pre>
</details>
</li>
<li>
<h2>Name the device and add it</h2>
<p>The app creates a key that never leaves the device.</p>
</li>
</ol>
<form method="post" action="/account/push/done">
${csrfInput(options.csrfToken)}
<button class="button button-primary" type="submit">I’ve added it</button>
</form>
<p><a href="/account">Back to your account</a></p>`;
  return renderDocument({
    title: 'Add a phone for sign-in requests',
    main,
    head: html`<link rel="stylesheet" href="/assets/push.css">
`,
  });
}
