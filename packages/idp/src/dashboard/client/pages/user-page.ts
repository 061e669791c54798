import type {
  AuditEventResource,
  FactorResource,
  ListPage,
  SignInLockResource,
  UserResource,
} from '../api-types.ts';
import { auditEventsTable } from '../audit-events-table.ts';
import { confirmChange } from '../confirm-dialog.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button, formField } from '../form-field.ts';
import type { ApiRequest } from '../management-api.ts';
import type { Page } from '../page.ts';
import { timeText } from '../time-text.ts';

const FACTOR_NAMES: Record<string, string> = {
  totp: 'Authenticator app (TOTP)',
  webauthn: 'Security key or passkey',
  push: 'Push to the authenticator',
  recovery_codes: 'Recovery codes',
};

/** What the sign-in lock line says about one kind of failure. */
function describeFailures(kind: string, failures: SignInLockResource['codes']): string {
  if (failures.locked) return `${kind}: locked after ${failures.consecutive_failures} failures in a row`;
  return `${kind}: ${failures.consecutive_failures} failures in a row`;
}

/**
 * One user: who they are, their password (settable), their second factors (removable), their sign-in
 * locks (clearable), and what can be done to the account — block, revoke every session and refresh
 * token, delete — with their recent events.
 */
export const userPage: Page = async (context) => {
  const id = context.params.id ?? '';
  const path = `/users/${encodeURIComponent(id)}`;
  let user = await context.runner.load<UserResource>({ method: 'GET', path });
  context.names.rememberUser(user);
  const facts = h('dl', { class: 'facts' });
  const factors = h('div', {});
  const locks = h('div', {});
  const controls = h('div', { class: 'button-row' });
  const self = id === context.operatorId;

  const change = async (kind: string, label: string, request: ApiRequest, route?: string) => {
    try {
      const value = await context.runner.perform<unknown>({
        kind,
        label,
        request,
        ...(route ? { route } : {}),
      });
      context.announce(`Done: ${label}.`);
      return { ok: true as const, value };
    } catch (error) {
      context.announce(describeError(error), 'error');
      return { ok: false as const };
    }
  };

  const renderUser = () => {
    replaceChildren(
      facts,
      [
        ['Username', user.username],
        ['Name', user.name ?? '—'],
        ['Email', user.email ? `${user.email}${user.email_verified ? ' (verified)' : ''}` : '—'],
        ['Roles', user.roles.join(', ') || '—'],
        ['State', user.blocked ? 'Blocked: cannot sign in' : 'Active'],
        ['Id', h('code', {}, user.id)],
      ].flatMap(([term, value]) => [h('dt', {}, term ?? ''), h('dd', {}, value ?? '')]),
    );
    replaceChildren(
      controls,
      button(
        user.blocked ? 'Unblock' : 'Block',
        async () => {
          const result = await change(
            user.blocked ? 'user.unblock' : 'user.block',
            `${user.blocked ? 'Unblock' : 'Block'} ${user.username}`,
            {
              method: 'PATCH',
              path,
              body: { blocked: !user.blocked },
            },
          );
          if (result.ok) {
            user = result.value as UserResource;
            renderUser();
          }
        },
        'secondary',
        { disabled: self },
      ),
      button('Revoke sessions', async () => {
        const confirmed = await confirmChange({
          title: `Sign ${user.username} out everywhere?`,
          message:
            'Every provider session and refresh token of this user ends now. Applications ask them to sign in again.',
          confirmLabel: 'Revoke sessions',
        });
        if (confirmed)
          await change('user.revoke-sessions', `Revoke the sessions of ${user.username}`, {
            method: 'DELETE',
            path: `${path}/sessions`,
          });
      }),
      button(
        'Delete user',
        async () => {
          const confirmed = await confirmChange({
            title: `Delete ${user.username}?`,
            message: 'The account, its factors and its sessions are removed. This cannot be undone.',
            confirmLabel: 'Delete user',
          });
          if (!confirmed) return;
          // After a sign-in in between, come back to the list: this page is gone with the user.
          const result = await change(
            'user.delete',
            `Delete ${user.username}`,
            { method: 'DELETE', path },
            '#/users',
          );
          if (result.ok) context.navigate('#/users', `${user.username} was deleted.`);
        },
        'danger',
        { disabled: self },
      ),
    );
  };

  const loadFactors = async () => {
    const page = await context.runner.load<ListPage<FactorResource>>({
      method: 'GET',
      path: `${path}/factors`,
    });
    replaceChildren(
      factors,
      dataTable({
        caption: 'Second factors',
        empty: 'No second factor: the user is asked to add one at their first step-up.',
        rows: page.items,
        columns: [
          { header: 'Factor', cell: (factor) => FACTOR_NAMES[factor.type] ?? factor.type },
          {
            header: 'Name',
            cell: (factor) =>
              factor.remaining === undefined ? factor.name : `${factor.name} (${factor.remaining} left)`,
          },
          { header: 'Added', cell: (factor) => timeText(factor.created_at) },
          { header: 'Last used', cell: (factor) => timeText(factor.last_used_at) },
          {
            header: 'Manage',
            cell: (factor) =>
              // The API removes one factor at a time; a set of recovery codes goes only by issuing a new one.
              factor.type === 'recovery_codes'
                ? h('span', { class: 'field-hint' }, 'Replaced from the account page')
                : button(
                    'Remove',
                    async () => {
                      const confirmed = await confirmChange({
                        title: `Remove ${FACTOR_NAMES[factor.type] ?? factor.type}?`,
                        message: `${user.username} can no longer use it to sign in.`,
                        confirmLabel: 'Remove factor',
                      });
                      if (!confirmed) return;
                      const result = await change('factor.remove', `Remove a factor of ${user.username}`, {
                        method: 'DELETE',
                        path: `${path}/factors/${encodeURIComponent(factor.id)}`,
                      });
                      if (result.ok) await loadFactors();
                    },
                    'danger',
                    { class: 'button button-danger button-small', 'aria-label': `Remove ${factor.name}` },
                  ),
          },
        ],
      }),
    );
  };

  // Consecutive failures lock codes (push and security keys still work) and, for new browsers, passwords.
  const loadLocks = async () => {
    const state = await context.runner.load<SignInLockResource>({
      method: 'GET',
      path: `${path}/sign-in-lock`,
    });
    const anyFailure = state.password.consecutive_failures > 0 || state.codes.consecutive_failures > 0;
    replaceChildren(
      locks,
      h(
        'p',
        {},
        describeFailures('Passwords', state.password),
        h('br', {}),
        describeFailures('Second-factor codes', state.codes),
      ),
      anyFailure
        ? button('Clear sign-in locks', async () => {
            const result = await change('user.unlock', `Clear the sign-in locks of ${user.username}`, {
              method: 'DELETE',
              path: `${path}/sign-in-lock`,
            });
            if (result.ok) await loadLocks();
          })
        : null,
    );
  };

  /**
   * Sets the password (PUT /users/{id}/password, which needs a recent MFA sign-in): after a sign-in
   * in between, the runner sends the same request again, so the password waits in this tab's
   * sessionStorage for the round trip only, like an Action's code.
   */
  const passwordForm = () => {
    const input = h('input', {
      class: 'input',
      name: 'new_password',
      type: 'password',
      autocomplete: 'new-password',
      minlength: '8',
      maxlength: '1024',
      required: true,
    });
    const form = h(
      'form',
      { class: 'button-row' },
      formField({
        label: 'New password',
        control: input,
        hint: 'At least 8 characters. Tell the user by a channel of your own; their sessions go on.',
      }),
      h('button', { type: 'submit', class: 'button button-secondary button-inline' }, 'Set password'),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const result = await change('user.set-password', `Set the password of ${user.username}`, {
        method: 'PUT',
        path: `${path}/password`,
        body: { password: input.value },
      });
      if (result.ok) input.value = '';
    });
    return form;
  };

  const [recentEvents] = await Promise.all([
    context.runner
      .load<ListPage<AuditEventResource>>({ method: 'GET', path: `${path}/events`, query: { limit: '20' } })
      .then((page) => auditEventsTable(page.items, `Recent events of ${user.username}`, context.names)),
    loadFactors(),
    loadLocks(),
  ]);
  if (context.outcome?.ok)
    context.announce(`Done after your new sign-in: ${context.outcome.operation.label}.`);
  else if (context.outcome)
    context.announce(`${context.outcome.operation.label}: ${describeError(context.outcome.error)}`, 'error');
  renderUser();

  return h(
    'div',
    {},
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/users' }, 'Users'), ' / '),
    h('h1', {}, user.name ?? user.username),
    self
      ? h('p', { class: 'lead' }, 'This is you: blocking and deleting are off for your own account.')
      : null,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'account-heading' },
      h('h2', { id: 'account-heading' }, 'Account'),
      facts,
      controls,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'password-heading' },
      h('h2', { id: 'password-heading' }, 'Password'),
      passwordForm(),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'factors-heading' },
      h('h2', { id: 'factors-heading' }, 'Second factors'),
      factors,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'locks-heading' },
      h('h2', { id: 'locks-heading' }, 'Sign-in locks'),
      locks,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'events-heading' },
      h('h2', { id: 'events-heading' }, 'Recent events'),
      recentEvents,
    ),
  );
};
