import { codeEntryForm } from './code-entry-form.ts';
import { codeFeedback } from './code-feedback.ts';
import { alternativesForm, cancelForm, describedBy } from './form-parts.ts';
import { html } from './html.ts';
import { renderDocument } from './layout.ts';
import { secondFactorIntro } from './second-factor-intro.ts';

/**
 * The second factor by recovery code, for a person who cannot use their usual one. Offered only under
 * "try another way" (or when nothing else is left).
 *
 * `error` should say what to do next, e.g. "That code is not valid. Check it against your list."
 */
export function renderRecoveryCodeChallengePage(options: {
  action: string;
  cancelAction: string;
  csrfToken: string;
  clientName: string;
  username: string;
  error?: string;
  alternatives?: { action: string; choices: readonly { method: string; label: string }[] };
  attemptsLeft?: number;
}): string {
  const { feedback, describedByIds, invalid } = codeFeedback(options.error, options.attemptsLeft);
  const main = html`${secondFactorIntro({
    icon: 'lock',
    heading: 'Enter a recovery code',
    purpose: 'challenge',
    clientName: options.clientName,
    username: options.username,
    instructions: html`Use one of the recovery codes you saved when you set up two-step verification. Each code works once.`,
  })}
${codeEntryForm({
  action: options.action,
  csrfToken: options.csrfToken,
  feedback,
  fields: html`<div class="field">
<label for="code">Recovery code</label>
<p class="field-hint" id="code-hint">24 letters and digits in groups of four, like 7QKX-M2HD-9RAB-C4EF-GH5J-KM6N. Dashes, spaces and letter case don't matter.</p>
<input class="input input-recovery-code" type="text" id="code" name="code" maxlength="32" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus${describedBy(['code-hint', ...describedByIds], invalid)}>
</div>`,
  submitLabel: 'Verify',
})}
${options.alternatives ? alternativesForm({ ...options.alternatives, csrfToken: options.csrfToken }) : ''}
${cancelForm({ action: options.cancelAction, csrfToken: options.csrfToken })}`;

  return renderDocument({
    title: invalid ? 'Error: Enter a recovery code' : 'Enter a recovery code',
    main,
  });
}
