import { errorAlert } from './form-parts.ts';
import { html, type SafeHtml } from './html.ts';
import { icon } from './icons.ts';

/** At or below this many attempts the page warns how many are left; above it the number is noise. */
const FEW_ATTEMPTS_LEFT = 3;

function describeAttemptsLeft(attemptsLeft: number | undefined): string | undefined {
  if (attemptsLeft === undefined || attemptsLeft > FEW_ATTEMPTS_LEFT) return undefined;
  if (attemptsLeft <= 0) return 'You have no tries left. Select Cancel and sign in again.';
  return attemptsLeft === 1 ? 'You have 1 try left.' : `You have ${attemptsLeft} tries left.`;
}

/**
 * What a code form says above its field: the error with the tries left, or only the tries left when
 * they are few; and the ids the field points at with `aria-describedby`.
 */
export function codeFeedback(
  error: string | undefined,
  attemptsLeft: number | undefined,
): { feedback: SafeHtml | string; describedByIds: string[]; invalid: boolean } {
  const attemptsText = describeAttemptsLeft(attemptsLeft);
  if (error !== undefined) {
    return {
      feedback: errorAlert('code-error', attemptsText === undefined ? error : `${error} ${attemptsText}`),
      describedByIds: ['code-error'],
      invalid: true,
    };
  }
  if (attemptsText !== undefined) {
    return {
      feedback: html`<div class="notice" id="code-attempts">${icon('info')}<p>${attemptsText}</p></div>`,
      describedByIds: ['code-attempts'],
      invalid: false,
    };
  }
  return { feedback: '', describedByIds: [], invalid: false };
}
