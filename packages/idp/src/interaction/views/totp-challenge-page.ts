import { codeEntryForm } from './code-entry-form.ts';
import { codeFeedback } from './code-feedback.ts';
import { alternativesForm, cancelForm, oneTimeCodeField } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';

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

  const main = html`${secondFactorIntro({
    icon: 'shield',
    heading: 'Enter your verification code',
    purpose: 'challenge',
    clientName: options.clientName,
    username: options.username,
    instructions: html`Open the authenticator app on your phone and enter the code it shows for Stepup.`,
  })}
${codeEntryForm({
  action: options.action,
  csrfToken: options.csrfToken,
  feedback,
  fields: oneTimeCodeField({
    label: '6-digit code',
    hint: 'The code changes every 30 seconds.',
    describedByIds,
    invalid,
    autofocus: true,
  }),
  submitLabel: 'Verify',
})}
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Two-step verification' : 'Two-step verification',
    main,
  });
}
