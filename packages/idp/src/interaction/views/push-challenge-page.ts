import { alternativesForm, cancelForm, csrfInput, errorAlert } from './form-parts.ts';
import { html, type SafeHtml } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/** Without JavaScript the waiting page reloads itself this often; with it, an event stream wakes it. */
export const PUSH_PAGE_REFRESH_SECONDS = 3;

/** Where the push step stands for this login. */
export type PushChallengeState =
  /** A request is on its way: the number to pick, and where to listen for the answer. */
  | {
      kind: 'waiting';
      number: number;
      ttlSeconds: number;
      eventsUrl: string;
      nextUrl: string;
      /** A transaction-bound login (RFC 9396): what approving does, shown next to the number. */
      transaction?: string;
    }
  /** Nobody answered in time: the person may send another. */
  | { kind: 'expired'; resendAction: string }
  /** No request was sent: too many recently, or push is paused after denials. */
  | { kind: 'blocked'; reason: 'throttled' | 'paused'; retryAfterSeconds: number }
  /** The wrong number was picked, which denied the request and ended the login below the level. */
  | { kind: 'wrong-number'; continueUrl: string };

function minutes(seconds: number): string {
  const count = Math.max(1, Math.ceil(seconds / 60));
  return `${count} minute${count === 1 ? '' : 's'}`;
}

function describeTtl(seconds: number): string {
  return seconds % 60 === 0 ? minutes(seconds) : `${seconds} seconds`;
}

/**
 * The push step of a login: shows the two-digit number the person picks on their device, and waits
 * for the answer. With JavaScript an event stream moves the page on at once; without, a
 * `<noscript>` refresh reloads it every few seconds.
 */
export function renderPushChallengePage(options: {
  state: PushChallengeState;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  /** The authenticator app, for a person who has not opened it. */
  authenticatorUrl: string;
  error?: string;
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
}): string {
  const { state, error } = options;
  let body: SafeHtml;
  let title: string;
  let refresh: SafeHtml | string = '';
  let scripts: string[] = [];
  switch (state.kind) {
    case 'waiting':
      title = 'Approve the sign-in on your phone';
      refresh = html`<noscript><meta http-equiv="refresh" content="${PUSH_PAGE_REFRESH_SECONDS}; url=${state.nextUrl}"></noscript>
`;
      scripts = ['/assets/push-wait.js'];
      body = html`<h1>Approve the sign-in on your phone</h1>
${
  state.transaction
    ? html`<p class="push-transaction" data-transaction><strong>You are approving:</strong> ${state.transaction}</p>
<p class="muted">Your phone shows the same details and signs its approval over them. Only the authenticator app or a security key can show what you approve; a code from an app, an email or a recovery code cannot.</p>
`
    : ''
}<p>We sent a request to the Stepup authenticator on your phone. Open it and pick this number:</p>
<div class="push-number-box" data-push-events="${state.eventsUrl}" data-push-next="${state.nextUrl}">
<p class="push-number-label" id="push-number-label">Number to pick</p>
<p class="push-number" aria-labelledby="push-number-label">${String(state.number)}</p>
</div>
<p class="push-status" role="status"><span class="push-spinner" aria-hidden="true"></span>Waiting for your answer. This page continues by itself.</p>
<p class="muted">The request works for ${describeTtl(state.ttlSeconds)}. If your phone ever asks about a sign-in you did not start, deny it.</p>
<p class="muted">No request? <a href="${options.authenticatorUrl}">Open the authenticator</a> on your phone.</p>`;
      break;
    case 'expired':
      title = 'The request expired';
      body = html`<h1>The request expired</h1>
<p>Nobody answered the sign-in request in time, so it no longer works.</p>
<form method="post" action="${state.resendAction}">
${csrfInput(options.csrfToken)}
<button class="button button-primary" type="submit">Send a new request</button>
</form>`;
      break;
    case 'blocked':
      title = state.reason === 'paused' ? 'Sign-in requests are paused' : 'Too many sign-in requests';
      body = html`<h1>${title}</h1>
<p>${
        state.reason === 'paused'
          ? 'Several recent requests to your phone were denied, so we stopped sending them for a while. If you did not try to sign in, change your password.'
          : 'We sent several sign-in requests to your phone recently, so we stopped sending more for a while.'
      }</p>
<p>${options.alternatives ? 'Use another way below, or try' : 'Try'} again in ${minutes(state.retryAfterSeconds)}.</p>`;
      break;
    case 'wrong-number':
      title = 'The request was refused';
      body = html`<h1>The request was refused</h1>
<div data-push-refusal="wrong_number">
<p>The number picked on the phone was not the one this page showed, so the request was refused. A wrong number never approves a sign-in, and nobody can sign in with this request.</p>
<p>What now:</p>
<ul>
<li>To send a new request, continue to ${options.clientName} and try again. On your phone, pick the number the sign-in page shows.</li>
<li>No phone at hand? When you try again, choose <em>Try another way</em> on the sign-in page to use a code or a security key.</li>
<li>Did not pick a number yourself? Someone may be signing in with your password: change it.</li>
</ul>
</div>
<p><a class="button button-primary" href="${state.continueUrl}">Continue to ${options.clientName}</a></p>`;
      break;
  }
  // The login is over after a refusal: nothing is left to cancel or to try instead on this page.
  const over = state.kind === 'wrong-number';

  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Two-step verification</p>
${error === undefined ? '' : errorAlert('push-error', error)}
${body}
<p class="account">Signed in as <strong>${options.username}</strong> for <span class="client-name">${options.clientName}</span></p>
${options.alternatives && !over ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${over ? '' : cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: error === undefined ? title : `Error: ${title}`,
    main,
    scripts,
    head: html`<link rel="stylesheet" href="/assets/push.css">
${refresh}`,
  });
}
