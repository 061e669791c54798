import { html, type SafeHtml } from './html.ts';

/**
 * The QR code and single-use link that add a push device, and the command that does it from a
 * terminal: the same for the enrollment during a login and the one on the account page. Throws a
 * `TypeError` for a QR code that is not a `data:image/` URL or a link that is not http(s).
 */
export function pushEnrollmentLink(options: {
  qrCodeDataUrl: string;
  link: string;
  ttlSeconds: number;
  /** The sentence before "It works once, for … minutes:", saying where to open the link. */
  openLinkHint: SafeHtml;
}): SafeHtml {
  if (!options.qrCodeDataUrl.startsWith('data:image/')) {
    throw new TypeError('a push enrollment QR code must be a data:image/… URL');
  }
  if (!/^https?:\/\//.test(options.link))
    throw new TypeError('a push enrollment link must be an http(s) URL');
  const minutes = Math.max(1, Math.round(options.ttlSeconds / 60));
  return html`<img class="qr-code" src="${options.qrCodeDataUrl}" width="180" height="180" alt="QR code that opens the Stepup authenticator and adds your phone">
<p class="manual-key-label">${options.openLinkHint} It works once, for ${minutes} minute${minutes === 1 ? '' : 's'}:</p>
<p class="push-link"><a href="${options.link}">${options.link}</a></p>
<details class="push-terminal">
<summary>Using a terminal instead?</summary>
<pre><code>npx stepup-authenticator enroll '${options.link}' --key-file ./stepup-device.json --name "My terminal"</code></pre>
</details>`;
}
