import { codeEntryForm } from './code-entry-form.ts';
import { codeFeedback } from './code-feedback.ts';
import { alternativesForm, cancelForm, csrfInput, oneTimeCodeField } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';

function describeMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * The second factor by a 6-digit code sent to the person's email address, with a way to send a new
 * one. `sentTo` is the address masked (a•••e@example.com); `sent` is false when no code could be sent
 * (the error says why).
 *
 * `error` should say what to do next, e.g. "That code is not correct. Check the newest email from us."
 */
export function renderEmailCodeChallengePage(options: {
  action: string;
  resendAction: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  sentTo: string;
  sent: boolean;
  codeTtlSeconds: number;
  error?: string;
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
  attemptsLeft?: number;
}): string {
  const { feedback, describedByIds, invalid } = codeFeedback(options.error, options.attemptsLeft);
  const main = html`${secondFactorIntro({
    icon: 'shield',
    heading: 'Check your email',
    purpose: 'challenge',
    clientName: options.clientName,
    username: options.username,
    instructions: options.sent
      ? html`We sent a 6-digit code to <strong>${options.sentTo}</strong>. It works once, for ${describeMinutes(options.codeTtlSeconds)}.`
      : html`We can send a 6-digit code to <strong>${options.sentTo}</strong>.`,
  })}
${codeEntryForm({
  action: options.action,
  csrfToken: options.csrfToken,
  feedback,
  fields: oneTimeCodeField({
    label: '6-digit code',
    hint: 'Use the code from the newest email: sending a new one voids the older ones.',
    title: 'Enter the 6 digits from the email we sent you',
    describedByIds,
    invalid,
    autofocus: true,
  }),
  submitLabel: 'Verify',
})}
<form class="form-secondary" method="post" action="${options.resendAction}">
${csrfInput(options.csrfToken)}
<button class="button button-secondary" type="submit">Send a new code</button>
</form>
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Check your email' : 'Check your email',
    main,
  });
}
