import { ApiError } from '../api-error.ts';
import type { ListPage, UserResource } from '../api-types.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { checkboxField, formField, pointAtField, textInput } from '../form-field.ts';
import type { Page, PageContext } from '../page.ts';
import { routeTo } from '../router.ts';
import { timeText } from '../time-text.ts';

function usersTable(users: readonly UserResource[]): HTMLElement {
  return dataTable({
    caption: 'Users',
    empty: 'No user matches.',
    rows: users,
    columns: [
      {
        header: 'Username',
        cell: (user) => h('a', { href: routeTo('#/users/:id', { id: user.id }) }, user.username),
      },
      { header: 'Name', cell: (user) => user.name ?? '—' },
      { header: 'Email', cell: (user) => user.email ?? '—' },
      { header: 'Roles', cell: (user) => user.roles.join(', ') || '—' },
      {
        header: 'State',
        cell: (user) =>
          user.blocked
            ? h('span', { class: 'badge badge-error' }, 'Blocked')
            : h('span', { class: 'badge badge-on' }, 'Active'),
      },
      { header: 'Created', cell: (user) => timeText(user.created_at) },
    ],
  });
}

function createUserForm(context: PageContext): HTMLFormElement {
  const admin = checkboxField({
    label: 'Operator (admin role: may use this dashboard)',
    name: 'admin',
    checked: false,
  });
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'new-user' },
    h('h2', { id: 'new-user' }, 'Add a user'),
    h(
      'div',
      { class: 'form-grid' },
      formField({ label: 'Username', control: textInput('username', { required: true, spellcheck: false }) }),
      formField({
        label: 'Password',
        control: textInput('password', { type: 'password', required: true, autocomplete: 'new-password' }),
        hint: 'Tell it to the person in a safe way; they can change it later.',
      }),
      formField({ label: 'Name', control: textInput('name') }),
      formField({ label: 'Email', control: textInput('email', { type: 'email' }) }),
    ),
    admin.field,
    h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Add user'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const optional = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    try {
      const user = await context.runner.perform<UserResource>({
        kind: 'user.create',
        label: `Add ${String(data.get('username'))}`,
        request: {
          method: 'POST',
          path: '/users',
          body: {
            username: String(data.get('username') ?? '').trim(),
            password: String(data.get('password') ?? ''),
            name: optional('name'),
            email: optional('email'),
          },
        },
      });
      const route = routeTo('#/users/:id', { id: user.id });
      // Roles are their own, privileged change: it may ask the operator to sign in again.
      if (admin.input.checked) {
        await context.runner.perform<UserResource>({
          kind: 'user.roles',
          label: `Make ${user.username} an operator`,
          route,
          request: { method: 'PUT', path: `/users/${user.id}/roles`, body: { roles: ['admin'] } },
        });
      }
      context.navigate(route);
    } catch (error) {
      pointAtField(form, error instanceof ApiError ? error.field : undefined);
      context.announce(describeError(error), 'error');
    }
  });
  return form;
}

/** Users: search by username, email or name; open one; add one. */
export const usersPage: Page = async (context) => {
  const results = h('div', { 'aria-live': 'polite' });
  const query = textInput('q', { type: 'search', placeholder: 'username, email or name' });
  const search = async () => {
    try {
      const page = await context.runner.load<ListPage<UserResource>>({
        method: 'GET',
        path: '/users',
        query: { q: query.value.trim() || undefined, limit: '100' },
      });
      for (const user of page.items) context.names.rememberUser(user);
      replaceChildren(results, usersTable(page.items));
    } catch (error) {
      replaceChildren(results, h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)));
    }
  };
  const form = h(
    'form',
    { class: 'search', role: 'search' },
    formField({ label: 'Find users', control: query }),
    h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void search();
  });
  if (context.outcome && !context.outcome.ok) {
    context.announce(`${context.outcome.operation.label}: ${describeError(context.outcome.error)}`, 'error');
  } else if (context.outcome?.ok) {
    context.announce(`Done after your new sign-in: ${context.outcome.operation.label}.`);
  }
  await search();
  return h('div', {}, h('h1', {}, 'Users'), form, results, createUserForm(context));
};
