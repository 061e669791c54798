import { describedBy } from './form-parts.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * A new password typed twice. NIST SP 800-63B-4 3.1.1.2: no composition rules, paste allowed, up to
 * 64 characters and more; the hint says how long and why.
 */
export function newPasswordFields(options: { minLength: number; errorId?: string }): SafeHtml {
  const invalid = options.errorId !== undefined;
  const ids = ['new-password-hint', ...(options.errorId ? [options.errorId] : [])];
  return html`<div class="field">
<label for="new-password">New password</label>
<input class="input" type="password" id="new-password" name="new_password" autocomplete="new-password" minlength="${String(options.minLength)}" required${describedBy(ids, invalid)}>
<p class="hint" id="new-password-hint">At least ${String(options.minLength)} characters. A few unrelated words make a long password that is easy to remember.</p>
</div>
<div class="field">
<label for="confirm-password">New password again</label>
<input class="input" type="password" id="confirm-password" name="confirm_password" autocomplete="new-password" required${describedBy(options.errorId ? [options.errorId] : [], invalid)}>
</div>`;
}
