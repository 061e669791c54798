import { codeFeedback } from './code-feedback.ts';
import { alternativesForm, cancelForm, csrfInput, oneTimeCodeField } from './form-parts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * The second factor for an account that already has TOTP: asks for the current 6-digit code.
 *
 * `error` should say what to do next, e.g. "That code didn't work. Enter the code your app shows now."
 */
export function renderTotpChallengePage(options: {
  action: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  error?: string;
  /** Other factors the person can switch to, and where to post the choice. */
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
  attemptsLeft?: number;
}): string {
  const { feedback, describedByIds, invalid } = codeFeedback(options.error, options.attemptsLeft);

  const main = html`<div class="card-icon">${icon('shield')}</div>
<p class="eyebrow">Two-step verification</p>
<h1>Enter your verification code</h1>
<p><span class="client-name">${options.clientName}</span> needs a second factor for this page. Open the authenticator app on your phone and enter the code it shows for Stepup.</p>
<p class="account">Signed in as <strong>${options.username}</strong></p>
<form method="post" action="${options.action}">
${csrfInput(options.csrfToken)}
${feedback}
${oneTimeCodeField({
  label: '6-digit code',
  hint: 'The code changes every 30 seconds.',
  describedByIds,
  invalid,
  autofocus: true,
})}
<button class="button button-primary" type="submit">Verify</button>
</form>
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Two-step verification' : 'Two-step verification',
    main,
  });
}
