import { oneTimeCodeField } from './form-parts.ts';
import type { SafeHtml } from './html.ts';

/**
 * The code field that proves a newly added authenticator app works before it is turned on. When the
 * last code was wrong it points at the `code-error` alert and takes the focus; otherwise it leaves the
 * focus alone, since it sits below the steps the person reads first.
 */
export function authenticatorAppConfirmationField(invalid: boolean): SafeHtml {
  return oneTimeCodeField({
    label: 'Code from the app',
    hint: 'This confirms the app is set up correctly.',
    describedByIds: invalid ? ['code-error'] : [],
    invalid,
    autofocus: invalid,
  });
}
