import { errorAlert } from '../../interaction/views/form-parts.ts';
import { html, type SafeHtml } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { PUSH_PAGE_REFRESH_SECONDS } from '../../interaction/views/push-challenge-page.ts';

/** Where the push proof of a reset stands, before the new password can be chosen. */
export type ResetPushState =
  /** No request yet (or the last one expired): the person sends one when their phone is at hand. */
  | { kind: 'ask' }
  /** A request is on its way: the number to pick, and where to listen for the answer. */
  | { kind: 'waiting'; number: number; ttlSeconds: number; eventsUrl: string; nextUrl: string }
  /** The request was denied (or the wrong number picked): the link still works, a new request may go. */
  | { kind: 'denied' }
  /** No request was sent: too many recently, or push is paused after denials. */
  | { kind: 'blocked'; reason: 'throttled' | 'paused'; retryAfterSeconds: number };

function minutes(seconds: number): string {
  const count = Math.max(1, Math.ceil(seconds / 60));
  return `${count} minute${count === 1 ? '' : 's'}`;
}

function sendForm(token: string, label: string): SafeHtml {
  return html`<form method="post" action="/account/password/reset/push">
<input type="hidden" name="token" value="${token}">
<button class="button button-primary" type="submit">${label}</button>
</form>`;
}

/**
 * The reset of a person whose second factor is the authenticator app: before the new password, a
 * sign-in request with number matching goes to their phone, as at sign-in. The waiting page moves on
 * by itself (the event stream of `/assets/push-wait.js`, or a `<noscript>` refresh) to the reset
 * link, which then shows the password form.
 */
export function renderResetPushPage(page: {
  token: string;
  username: string;
  push: ResetPushState;
  error?: string;
}): string {
  const { push } = page;
  let body: SafeHtml;
  let refresh: SafeHtml | string = '';
  let scripts: string[] = [];
  switch (push.kind) {
    case 'ask':
      body = html`<p>Your account has the authenticator app as a second factor, so resetting the password needs it too. We will send a request to your phone: approve it by picking the number this page shows.</p>
${sendForm(page.token, 'Send a request to my phone')}`;
      break;
    case 'waiting':
      refresh = html`<noscript><meta http-equiv="refresh" content="${PUSH_PAGE_REFRESH_SECONDS}; url=${push.nextUrl}"></noscript>
`;
      scripts = ['/assets/push-wait.js'];
      body = html`<p>We sent a request to the Stepup authenticator on your phone. Open it and pick this number:</p>
<div class="push-number-box" data-push-events="${push.eventsUrl}" data-push-next="${push.nextUrl}">
<p class="push-number-label" id="push-number-label">Number to pick</p>
<p class="push-number" aria-labelledby="push-number-label">${String(push.number)}</p>
</div>
<p class="push-status" role="status"><span class="push-spinner" aria-hidden="true"></span>Waiting for your answer. This page continues by itself.</p>
<p class="muted">The request works for ${minutes(push.ttlSeconds)}. If your phone ever asks about a password reset you did not start, deny it.</p>`;
      break;
    case 'denied':
      body = html`<div data-reset-push-denied>
<p>The request was refused on your phone, so the password was not changed. If you refused it by mistake, or picked another number, send a new one.</p>
<p>Did not ask for a new password? Someone may have your email: deny every request you did not start.</p>
</div>
${sendForm(page.token, 'Send a new request')}`;
      break;
    case 'blocked':
      body = html`<p data-reset-push-blocked>${
        push.reason === 'paused'
          ? 'Several recent requests to your phone were denied, so we stopped sending them for a while.'
          : 'We sent several requests to your phone recently, so we stopped sending more for a while.'
      } Try again in ${minutes(push.retryAfterSeconds)}.</p>`;
      break;
  }
  return renderDocument({
    title: 'Approve the reset on your phone',
    main: html`<div class="card-icon">${icon('phone')}</div>
<h1>Approve the reset on your phone</h1>
<p class="account">For <strong>${page.username}</strong></p>
${page.error === undefined ? '' : errorAlert('reset-error', page.error)}
${body}`,
    scripts,
    head: html`<link rel="stylesheet" href="/assets/push.css">
${refresh}`,
  });
}
