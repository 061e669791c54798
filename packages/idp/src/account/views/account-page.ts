import { csrfInput, errorAlert } from '../../interaction/views/form-parts.ts';
import { html, type SafeHtml } from '../../interaction/views/html.ts';
import { icon } from '../../interaction/views/icons.ts';
import { renderDocument } from '../../interaction/views/layout.ts';
import { newPasswordFields } from '../../interaction/views/new-password-fields.ts';
import type { AccountFactors, ManagedFactor, ManagedFactorKind } from '../account-factors.ts';

/** What each kind of factor is called on the account pages. */
export const FACTOR_KIND_LABELS: Readonly<Record<ManagedFactorKind, string>> = {
  totp: 'Authenticator app',
  push: 'Sign-in requests (Stepup authenticator)',
  webauthn: 'Security key or passkey',
};

/** "2025-01-31 14:05 UTC": the same for everyone, whatever their locale. */
export function formatTime(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface AccountPageOptions {
  username: string;
  csrfToken: string;
  /** False: the page lists, and offers to verify; changes need a recent multi-factor sign-in. */
  canChange: boolean;
  /** How long a verification lasts, for the explanation. */
  stepUpMinutes: number;
  account: AccountFactors;
  notice?: { kind: 'success' | 'error'; text: string };
  /** False when remembering browsers is off (period 0). */
  rememberBrowserEnabled: boolean;
  /** Which kinds of factor may be added and used now (an operator may switch them off). */
  switchedOn: Readonly<Record<ManagedFactorKind, boolean>>;
  logoutUrl: string;
  password: {
    /** False while a person with a second factor has not verified with it recently. */
    canChange: boolean;
    minLength: number;
    /** Why the last change was refused, shown by the form. */
    error?: string;
  };
}

function factorItem(factor: ManagedFactor, options: AccountPageOptions): SafeHtml {
  const reference = `${factor.kind}:${factor.id}`;
  const used = factor.lastUsedAt === null ? 'Never used' : `Last used ${formatTime(factor.lastUsedAt)}`;
  // Rename folds away until asked for (a plain <details>, no script); Remove asks to confirm first.
  const changes = options.canChange
    ? html`<div class="factor-actions">
<details class="factor-rename">
<summary>Rename</summary>
<form class="inline-form" method="post" action="/account/factors/rename">
${csrfInput(options.csrfToken)}<input type="hidden" name="factor" value="${reference}">
<label class="visually-hidden" for="name-${reference}">New name for ${factor.name}</label>
<input class="input" type="text" id="name-${reference}" name="name" value="${factor.name}" maxlength="64" required>
<button class="button button-secondary" type="submit">Save name</button>
</form>
</details>
<form class="inline-form" method="post" action="/account/factors/remove">
${csrfInput(options.csrfToken)}<input type="hidden" name="factor" value="${reference}">
<button class="button button-secondary button-danger" type="submit">Remove ${factor.name}</button>
</form>
</div>`
    : '';
  return html`<li class="factor" data-factor="${reference}">
<p class="factor-name"><strong>${factor.name}</strong></p>
<p class="factor-meta">${FACTOR_KIND_LABELS[factor.kind]} · Added ${formatTime(factor.createdAt)} · ${used}</p>
${options.switchedOn[factor.kind] ? '' : html`<p class="factor-meta" data-switched-off>Switched off for now: not used to sign in.</p>`}
${changes}
</li>`;
}

/** The password section: the change form, or why it is not offered yet. */
function passwordSection(options: AccountPageOptions): SafeHtml {
  const { password, csrfToken } = options;
  if (!password.canChange) {
    return html`<h2>Password</h2>
<p class="muted" data-password-locked>To change your password, first verify it's you with a second factor.</p>`;
  }
  const error = password.error;
  return html`<h2>Password</h2>
<form method="post" action="/account/password" data-password-form>
${csrfInput(csrfToken)}
${error === undefined ? '' : errorAlert('password-error', error)}
<div class="field">
<label for="current-password">Current password</label>
<input class="input" type="password" id="current-password" name="current_password" autocomplete="current-password" required>
</div>
${newPasswordFields({ minLength: password.minLength, ...(error === undefined ? {} : { errorId: 'password-error' }) })}
<p class="muted">Changing it signs you out everywhere else.</p>
<button class="button button-primary" type="submit">Change password</button>
</form>`;
}

function postButton(action: string, csrfToken: string, label: string, primary = false): SafeHtml {
  return html`<form class="inline-form" method="post" action="${action}">
${csrfInput(csrfToken)}
<button class="button ${primary ? 'button-primary' : 'button-secondary'}" type="submit">${label}</button>
</form>`;
}

/**
 * The account page: the person's second factors with their names and last use, recovery codes left,
 * the email address; and, after a recent multi-factor sign-in, adding, renaming and removing them.
 */
export function renderAccountPage(options: AccountPageOptions): string {
  const { account, csrfToken, canChange } = options;
  const codes = account.recoveryCodes;
  const notice = options.notice
    ? options.notice.kind === 'error'
      ? errorAlert('account-notice', options.notice.text)
      : html`<div class="notice notice-success" role="status">${icon('check')}<p>${options.notice.text}</p></div>`
    : '';
  const verify = canChange
    ? html`<p class="muted">You verified with a second factor recently, so you can make changes for up to ${options.stepUpMinutes} minutes after that.</p>`
    : html`<div class="notice">${icon('info')}<p>To add, rename or remove a factor, first verify it's you with a second factor.</p></div>
${postButton('/account/verify', csrfToken, 'Verify it’s you', true)}`;

  const main = html`<div class="card-icon">${icon('shield')}</div>
<p class="eyebrow">Your account</p>
<h1>Sign-in security</h1>
<p class="account">Signed in as <strong>${options.username}</strong> · <a href="${options.logoutUrl}">Sign out</a></p>
${notice}
${verify}
<h2>Second factors</h2>
${
  account.factors.length > 0
    ? html`<ul class="factor-list">${account.factors.map((factor) => factorItem(factor, options))}</ul>`
    : html`<p class="muted">You have no second factor yet.</p>`
}
${
  account.email
    ? html`<p class="factor-meta" data-email>Email codes go to <strong>${account.email.address}</strong>: ${
        account.email.countsAsFactor
          ? 'verified, so it counts as a second factor.'
          : 'not verified, so it does not count as a second factor.'
      }${account.email.switchedOff ? ' Email codes are switched off for now.' : ''}</p>`
    : ''
}
${
  canChange
    ? html`<h2>Add a factor</h2>
<div class="actions">
${options.switchedOn.push ? postButton('/account/push/new', csrfToken, 'Add a phone for sign-in requests') : ''}
${options.switchedOn.totp ? postButton('/account/totp/new', csrfToken, 'Add an authenticator app') : ''}
${options.switchedOn.webauthn ? postButton('/account/webauthn/new', csrfToken, 'Add a security key or passkey') : ''}
</div>`
    : ''
}
${passwordSection(options)}
<h2>Recovery codes</h2>
<p data-recovery-codes>${
    codes
      ? `${codes.remaining} of ${codes.total} left, issued ${formatTime(codes.issuedAt)}.`
      : 'You have none.'
  }</p>
${canChange ? postButton('/account/recovery-codes/new', csrfToken, codes ? 'Replace with new codes' : 'Create recovery codes') : ''}
${
  options.rememberBrowserEnabled
    ? html`<h2>Remembered browsers</h2>
<p class="muted">Browsers where you chose “Remember this browser” skip some second-factor requests.</p>
${canChange ? postButton('/account/forget-browsers', csrfToken, 'Forget remembered browsers') : ''}`
    : ''
}`;
  return renderDocument({ title: 'Your account', main });
}
