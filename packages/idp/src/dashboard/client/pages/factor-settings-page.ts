import { ApiError } from '../api-error.ts';
import type { SettingsResource } from '../api-types.ts';
import { describeError } from '../describe-error.ts';
import { h } from '../element.ts';
import { checkboxField, formField, pointAtField } from '../form-field.ts';
import type { Page } from '../page.ts';

const FACTORS: { key: string; label: string; hint: string }[] = [
  {
    key: 'push',
    label: 'Push to the authenticator',
    hint: 'A sign-in request on the phone, with number matching.',
  },
  { key: 'totp', label: 'Authenticator app (TOTP)', hint: 'Six-digit codes from any authenticator app.' },
  { key: 'webauthn', label: 'Security key or passkey', hint: 'WebAuthn: phishing-resistant.' },
  { key: 'email', label: 'Email code', hint: 'A code sent by email (needs a mail server).' },
];

/** A number input for one setting, named by its path in the settings object (`push.sends.limit`). */
function numberField(label: string, path: string, value: number | null, hint?: string): HTMLDivElement {
  const control = h('input', {
    class: 'input input-number',
    type: 'number',
    name: path,
    min: '0',
    step: '1',
    value: value === null ? '' : String(value),
  });
  return formField({ label, control, ...(hint ? { hint } : {}) });
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) ?? ''] = value;
}

/**
 * Factor settings: which second factors are offered, the push and throttling parameters, and each
 * acr level's maximum age. Saved as one PATCH; settings that apply only after a restart are named.
 */
export const factorSettingsPage: Page = async (context) => {
  const settings = await context.runner.load<SettingsResource>({ method: 'GET', path: '/settings' });
  // Only the factors the provider lets operators switch (it lists them); the others are always offered.
  const switchable = FACTORS.filter((factor) => factor.key in settings.factors);
  const toggles = switchable.map((factor) => ({
    key: factor.key,
    ...checkboxField({
      label: factor.label,
      name: `factors.${factor.key}.enabled`,
      checked: settings.factors[factor.key]?.enabled ?? false,
      hint: factor.hint,
    }),
  }));
  const { push, throttling } = settings;
  const form = h(
    'form',
    { class: 'settings-form' },
    h(
      'fieldset',
      { class: 'panel' },
      h('legend', {}, 'Second factors offered'),
      h(
        'p',
        { class: 'field-hint' },
        'A factor switched off is neither offered nor accepted, nor can it be added; people who have one still count as having a second factor (no new one on the password alone) and can sign in with a recovery code.',
      ),
      FACTORS.filter((factor) => !(factor.key in settings.factors)).map((factor) =>
        h('p', { class: 'field-hint' }, `${factor.label}: always offered.`),
      ),
      toggles.map((toggle) => toggle.field),
    ),
    h(
      'fieldset',
      { class: 'panel' },
      h('legend', {}, 'Push'),
      h(
        'div',
        { class: 'form-grid form-grid-wide' },
        numberField('Request lifetime (seconds)', 'push.challenge_ttl_seconds', push.challenge_ttl_seconds),
        numberField(
          'Enrollment link lifetime (seconds)',
          'push.enrollment_ttl_seconds',
          push.enrollment_ttl_seconds,
        ),
        numberField('Requests per user', 'push.sends.limit', push.sends.limit),
        numberField('…per window (seconds)', 'push.sends.window_seconds', push.sends.window_seconds),
        numberField('Denials before a pause', 'push.denials.limit', push.denials.limit),
        numberField('…per window (seconds)', 'push.denials.window_seconds', push.denials.window_seconds),
      ),
    ),
    h(
      'fieldset',
      { class: 'panel' },
      h('legend', {}, 'Throttling'),
      h(
        'div',
        { class: 'form-grid form-grid-wide' },
        numberField(
          'Free password failures',
          'throttling.account_free_failures',
          throttling.account_free_failures,
        ),
        numberField(
          'Longest delay (seconds)',
          'throttling.account_max_delay_seconds',
          throttling.account_max_delay_seconds,
        ),
        numberField(
          'Failures that lock the account',
          'throttling.account_lock_failures',
          throttling.account_lock_failures,
        ),
        numberField('Attempts per IP', 'throttling.ip.limit', throttling.ip.limit),
        numberField('…per window (seconds)', 'throttling.ip.window_seconds', throttling.ip.window_seconds),
        numberField(
          'Second-factor attempts',
          'throttling.second_factor.limit',
          throttling.second_factor.limit,
        ),
        numberField(
          '…per window (seconds)',
          'throttling.second_factor.window_seconds',
          throttling.second_factor.window_seconds,
        ),
        numberField(
          'Code tries per sign-in',
          'throttling.code_tries_per_login',
          throttling.code_tries_per_login,
        ),
      ),
    ),
    h(
      'fieldset',
      { class: 'panel' },
      h('legend', {}, 'acr levels'),
      h(
        'p',
        { class: 'field-hint' },
        'How long each level lasts before the provider asks again; empty for the session’s lifetime.',
      ),
      settings.acr_ladder.map((level, index) =>
        numberField(
          `Maximum age (seconds) of ${level.acr}`,
          `acr_ladder.${index}.max_age`,
          level.max_age,
          `${level.factors} factor(s)${level.phishing_resistant ? ', phishing-resistant' : ''}`,
        ),
      ),
    ),
    h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Save settings'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    for (const toggle of toggles) setPath(patch, `factors.${toggle.key}.enabled`, toggle.input.checked);
    const ladder = settings.acr_ladder.map((level) => ({ ...level }));
    for (const input of Array.from(form.querySelectorAll<HTMLInputElement>('input[type="number"]'))) {
      const value = input.value === '' ? null : Number(input.value);
      const match = /^acr_ladder\.(\d+)\.max_age$/.exec(input.name);
      const level = match ? ladder[Number(match[1])] : undefined;
      if (level) level.max_age = value;
      else setPath(patch, input.name, value);
    }
    // Sent only when a maximum age changed: the ladder applies at the next start.
    if (ladder.some((level, index) => level.max_age !== settings.acr_ladder[index]?.max_age)) {
      patch.acr_ladder = ladder;
    }
    try {
      const saved = await context.runner.perform<SettingsResource>({
        kind: 'settings.update',
        label: 'Save the factor settings',
        request: { method: 'PATCH', path: '/settings', body: patch },
      });
      pointAtField(form, undefined);
      context.announce(
        saved.restart_required.length > 0
          ? `Saved. These apply after the provider restarts: ${saved.restart_required.join(', ')}.`
          : 'Saved. The settings apply from the next sign-in.',
      );
    } catch (error) {
      pointAtField(form, error instanceof ApiError ? error.field : undefined);
      context.announce(describeError(error), 'error');
    }
  });
  if (context.outcome?.ok)
    context.announce(`Done after your new sign-in: ${context.outcome.operation.label}.`);
  else if (context.outcome)
    context.announce(`${context.outcome.operation.label}: ${describeError(context.outcome.error)}`, 'error');
  return h(
    'div',
    {},
    h('h1', {}, 'Factors'),
    h('p', { class: 'lead' }, 'What people may use as a second factor, and the limits that protect them.'),
    form,
  );
};
