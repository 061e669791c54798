import { alternativesForm, cancelForm } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { pushEnrollmentLink } from './push-enrollment-link.ts';
import { secondFactorIntro } from './second-factor-intro.ts';

/**
 * Push enrollment during a login, for a person with no second factor yet (trust on first use): a
 * QR code and a link carrying a single-use enrollment token, for the authenticator app or the CLI.
 * The page moves on by itself once a device registered (with JavaScript), or with its button.
 */
export function renderPushEnrollmentPage(options: {
  qrCodeDataUrl: string;
  link: string;
  ttlSeconds: number;
  eventsUrl: string;
  nextUrl: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  error?: string;
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
}): string {
  const enrollmentLink = pushEnrollmentLink({
    qrCodeDataUrl: options.qrCodeDataUrl,
    link: options.link,
    ttlSeconds: options.ttlSeconds,
    openLinkHint: html`Can't scan it? Open this link on your phone.`,
  });
  const main = html`${secondFactorIntro({
    icon: 'phone',
    heading: 'Get sign-in requests on your phone',
    purpose: 'enrollment',
    clientName: options.clientName,
    username: options.username,
    instructions: html`You only do this once.`,
  })}
<ol class="steps" data-push-events="${options.eventsUrl}" data-push-next="${options.nextUrl}">
<li>
<h2>Scan the QR code with your phone</h2>
<p>It opens the Stepup authenticator in your phone's browser. You can add it to your Home screen.</p>
${enrollmentLink}
</li>
<li>
<h2>Name your phone and add it</h2>
<p>The app creates a key that never leaves your phone.</p>
</li>
<li>
<h2>Come back here</h2>
<p class="push-status" role="status">This page continues by itself once your phone is added. Then approve your first request.</p>
<a class="button button-primary" href="${options.nextUrl}">I've added my phone</a>
</li>
</ol>
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: 'Set up sign-in requests',
    main,
    head: html`<link rel="stylesheet" href="/assets/push.css">
`,
    scripts: ['/assets/push-wait.js'],
  });
}
