import { h } from './element.ts';
import type { NameDirectory } from './name-directory.ts';
import { routeTo } from './router.ts';

/**
 * A user id as the operator reads it: the username, linking to the user's page, with the id in the
 * tooltip. A user who no longer exists shows as deleted — under the username an event remembered, if
 * any (`admin.user.deleted` keeps it). An id the directory could not look up stays a linked id.
 */
export function userReference(names: NameDirectory, id: string, rememberedUsername?: string): HTMLElement {
  const user = names.user(id);
  if (user === null) {
    return h(
      'span',
      { class: 'reference-gone', title: `user ${id}`, 'data-user-id': id },
      `${rememberedUsername ?? id} (deleted)`,
    );
  }
  return h(
    'a',
    { href: routeTo('#/users/:id', { id }), title: `user ${id}`, 'data-user-id': id },
    user?.username ?? h('span', { class: 'code' }, id),
  );
}

/**
 * A client id as the operator reads it: the application's name, with its client id in the tooltip;
 * the client id itself when the application has no name, could not be looked up, or is gone. The
 * provider's own clients read as what they are ("Account page"), not as the name people see there.
 */
export function clientReference(names: NameDirectory, id: string): HTMLElement {
  const client = names.client(id);
  if (client?.provider_role) {
    const role = client.provider_role;
    return h(
      'span',
      { title: `the provider's own client ${id}`, 'data-client-id': id },
      `${role.charAt(0).toUpperCase()}${role.slice(1)}`,
    );
  }
  if (client === null) {
    return h(
      'span',
      { class: 'reference-gone', title: `client ${id}`, 'data-client-id': id },
      `${id} (deleted)`,
    );
  }
  return h(
    'span',
    { title: `client ${id}`, 'data-client-id': id },
    client?.client_name ?? h('span', { class: 'code' }, id),
  );
}
