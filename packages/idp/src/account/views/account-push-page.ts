import { csrfInput } from '../../interaction/views/form-parts.ts';
import { html } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { pushEnrollmentLink } from '../../interaction/views/push-enrollment-link.ts';

/**
 * Adding a push device from the account page: a single-use enrollment link, as a QR code too. The
 * page moves on by itself once a device was added (with JavaScript), or with its button.
 */
export function renderAccountPushPage(options: {
  qrCodeDataUrl: string;
  link: string;
  ttlSeconds: number;
  csrfToken: string;
  /** Where the page's script waits for the device (push-wait.js); without script, the button. */
  eventsUrl: string;
}): string {
  const enrollmentLink = pushEnrollmentLink({
    qrCodeDataUrl: options.qrCodeDataUrl,
    link: options.link,
    ttlSeconds: options.ttlSeconds,
    openLinkHint: html`Or open this link on the device.`,
  });
  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Your account</p>
<h1>Add a phone for sign-in requests</h1>
<ol class="steps">
<li>
<h2>Scan the QR code with your phone</h2>
${enrollmentLink}
</li>
<li>
<h2>Name the device and add it</h2>
<p>The app creates a key that never leaves the device.</p>
</li>
</ol>
<form method="post" action="/account/push/done" data-push-events="${options.eventsUrl}" data-push-submit>
${csrfInput(options.csrfToken)}
<p class="push-status" role="status">This page continues by itself once the device is added.</p>
<button class="button button-primary" type="submit">I’ve added it</button>
</form>
<p><a href="/account">Back to your account</a></p>`;
  return renderDocument({
    title: 'Add a phone for sign-in requests',
    main,
    head: html`<link rel="stylesheet" href="/assets/push.css">
`,
    scripts: ['/assets/push-wait.js'],
  });
}
