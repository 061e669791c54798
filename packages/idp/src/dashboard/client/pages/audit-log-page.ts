import { ApiError } from '../api-error.ts';
import type { AuditEventResource, ClientResource, ListPage, UserResource } from '../api-types.ts';
import { auditEventsTable } from '../audit-events-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button, formField, pointAtField, selectInput, textInput } from '../form-field.ts';
import type { Page, PageContext } from '../page.ts';

const PAGE_SIZE = '25';

function isoOrUndefined(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The filters as typed: `user_id` and `client_id` may still be names (see `resolveFilters`). */
function readFilters(form: HTMLFormElement): Record<string, string | undefined> {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
  return {
    type: text('type'),
    user_id: text('user_id'),
    client_id: text('client_id'),
    outcome: text('outcome'),
    from: isoOrUndefined(String(data.get('from') ?? '')),
    to: isoOrUndefined(String(data.get('to') ?? '')),
  };
}

/**
 * The user filter takes a username or an id: a username that exists exactly is turned into its id;
 * anything else is sent as typed (the id of a user, maybe one deleted since).
 */
async function userIdFor(context: PageContext, typed: string | undefined): Promise<string | undefined> {
  if (!typed) return undefined;
  const found = await context.runner.load<ListPage<UserResource>>({
    method: 'GET',
    path: '/users',
    query: { q: typed, limit: '200' },
  });
  const user = found.items.find((candidate) => candidate.username === typed);
  if (user) context.names.rememberUser(user);
  return user?.id ?? typed;
}

/** The application filter takes a client id or an application's exact name, as `userIdFor` does. */
async function clientIdFor(context: PageContext, typed: string | undefined): Promise<string | undefined> {
  if (!typed) return undefined;
  const clients = await context.runner.load<ListPage<ClientResource>>({ method: 'GET', path: '/clients' });
  context.names.rememberClients(clients.items);
  if (clients.items.some((client) => client.client_id === typed)) return typed;
  return clients.items.find((client) => client.client_name === typed)?.client_id ?? typed;
}

/** The filters as the API takes them: names turned into ids. */
async function resolveFilters(
  context: PageContext,
  typed: Record<string, string | undefined>,
): Promise<Record<string, string | undefined>> {
  const [userId, clientId] = await Promise.all([
    userIdFor(context, typed.user_id),
    clientIdFor(context, typed.client_id),
  ]);
  return { ...typed, user_id: userId, client_id: clientId };
}

async function exportJsonLines(
  context: PageContext,
  filters: Record<string, string | undefined>,
): Promise<void> {
  const lines = await context.runner.load<string>({
    method: 'GET',
    path: '/audit-events/export',
    query: filters,
  });
  const link = h('a', {
    href: URL.createObjectURL(new Blob([lines], { type: 'application/x-ndjson' })),
    download: 'audit-events.jsonl',
  });
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Audit log: every authentication and administrative event, filtered, newest first, page by page. */
export const auditLogPage: Page = async (context) => {
  const form = h(
    'form',
    { class: 'panel filters', 'aria-labelledby': 'filters-heading' },
    h('h2', { id: 'filters-heading', class: 'visually-hidden' }, 'Filters'),
    h(
      'div',
      { class: 'form-grid form-grid-wide' },
      formField({
        label: 'Event type',
        control: textInput('type', { placeholder: 'login.* or action.failed' }),
      }),
      formField({
        label: 'User',
        control: textInput('user_id', { spellcheck: false, placeholder: 'username or user id' }),
      }),
      formField({
        label: 'Application',
        control: textInput('client_id', { spellcheck: false, placeholder: 'name or client id' }),
      }),
      formField({
        label: 'Outcome',
        control: selectInput('outcome', [
          { value: '', label: 'Any' },
          { value: 'success', label: 'Success' },
          { value: 'failure', label: 'Failure' },
        ]),
      }),
      formField({
        label: 'From',
        control: h('input', { class: 'input', type: 'datetime-local', name: 'from', step: '1' }),
      }),
      formField({
        label: 'To',
        control: h('input', { class: 'input', type: 'datetime-local', name: 'to', step: '1' }),
      }),
    ),
    h(
      'div',
      { class: 'button-row' },
      h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Show events'),
      button('Export as JSON lines', () => {
        resolveFilters(context, readFilters(form))
          .then((filters) => exportJsonLines(context, filters))
          .catch((error: unknown) => context.announce(describeError(error), 'error'));
      }),
    ),
  );
  const results = h('div', { 'aria-live': 'polite', 'aria-busy': 'false', 'data-audit-results': '' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Audit log pages' });
  /** The cursors of the pages shown so far; the last one is the current page's. */
  const cursors: (string | undefined)[] = [undefined];
  let filters: Record<string, string | undefined> = {};
  /** Counts the requests for a page: only the latest one's answer is shown. */
  let shown = 0;

  /** Shows the page of the last cursor; with `typed`, for these new filters. */
  const show = async (typed?: Record<string, string | undefined>) => {
    shown += 1;
    const current = shown;
    results.setAttribute('aria-busy', 'true');
    try {
      if (typed) filters = await resolveFilters(context, typed);
      const page = await context.runner.load<ListPage<AuditEventResource>>({
        method: 'GET',
        path: '/audit-events',
        query: { ...filters, limit: PAGE_SIZE, cursor: cursors.at(-1) },
      });
      const table = await auditEventsTable(page.items, 'Audit events, newest first', context.names);
      if (current !== shown) return;
      pointAtField(form, undefined);
      replaceChildren(results, table);
      replaceChildren(
        pager,
        button(
          'Newer',
          () => {
            cursors.pop();
            void show();
          },
          'secondary',
          { disabled: cursors.length === 1, class: 'button button-secondary button-small' },
        ),
        h('span', {}, `Page ${cursors.length}`),
        button(
          'Older',
          () => {
            cursors.push(page.next_cursor ?? undefined);
            void show();
          },
          'secondary',
          { disabled: page.next_cursor === null, class: 'button button-secondary button-small' },
        ),
      );
    } catch (error) {
      if (current !== shown) return;
      pointAtField(form, error instanceof ApiError ? error.field : undefined);
      replaceChildren(results, h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)));
    } finally {
      if (current === shown) results.setAttribute('aria-busy', 'false');
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors.splice(1);
    void show(readFilters(form));
  });
  await show(readFilters(form));

  return h(
    'div',
    {},
    h('h1', {}, 'Audit log'),
    h(
      'p',
      { class: 'lead' },
      'Sign-ins, step-ups, push requests, factor changes, Action failures and every change made here.',
    ),
    form,
    results,
    pager,
  );
};
