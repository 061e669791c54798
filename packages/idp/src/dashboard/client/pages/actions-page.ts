import type { ActionView, ListPage } from '../api-types.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button, formField, textInput } from '../form-field.ts';
import type { Page } from '../page.ts';
import { routeTo } from '../router.ts';
import { timeText } from '../time-text.ts';

/**
 * Actions: the post-login Actions in run order, switched on or off, reordered with Move up / Move down
 * and saved as one order, and a form that opens the editor for a new one.
 */
export const actionsPage: Page = async (context) => {
  const load = async () =>
    (await context.runner.load<ListPage<ActionView>>({ method: 'GET', path: '/actions' })).items
      .filter((action) => action.trigger === 'post-login')
      .sort((a, b) => a.position - b.position);
  let order = await load();
  const list = h('div', {});
  const saveOrder = button(
    'Save order',
    async () => {
      try {
        await context.runner.perform({
          kind: 'action.order',
          label: 'Save the order of the Actions',
          request: {
            method: 'PUT',
            path: '/actions/triggers/post-login/order',
            body: { names: order.map((action) => action.name) },
          },
        });
        saveOrder.disabled = true;
        context.announce('The new order is saved: the Actions run in this order from the next sign-in.');
      } catch (error) {
        context.announce(describeError(error), 'error');
      }
    },
    'primary',
    { disabled: true },
  );

  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    const moved = order[index];
    const other = order[target];
    if (!moved || !other) return;
    order = order.map((action, position) =>
      position === index ? other : position === target ? moved : action,
    );
    saveOrder.disabled = false;
    render();
    list.querySelector<HTMLButtonElement>(`[data-move="${moved.name}:${by}"]`)?.focus();
  };

  const toggle = async (action: ActionView) => {
    try {
      await context.runner.perform({
        kind: 'action.enable',
        label: `${action.enabled ? 'Disable' : 'Enable'} ${action.name}`,
        request: {
          method: 'PATCH',
          path: `/actions/${encodeURIComponent(action.name)}`,
          body: { enabled: !action.enabled },
        },
      });
      context.announce(`${action.name} is ${action.enabled ? 'disabled' : 'enabled'}.`);
      order = await load();
      render();
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const render = () =>
    replaceChildren(
      list,
      dataTable({
        caption: 'Post-login Actions, in the order they run',
        empty: 'No Action yet. Create one below.',
        rows: order.map((action, index) => ({ action, index })),
        columns: [
          { header: '#', kind: 'num', cell: ({ index }) => String(index + 1) },
          {
            header: 'Name',
            cell: ({ action }) =>
              h('a', { href: routeTo('#/actions/:name', { name: action.name }) }, action.name),
          },
          { header: 'Version', kind: 'num', cell: ({ action }) => String(action.version) },
          {
            header: 'State',
            cell: ({ action }) =>
              h(
                'span',
                { class: action.enabled ? 'badge badge-on' : 'badge' },
                action.enabled ? 'Enabled' : 'Disabled',
              ),
          },
          { header: 'Deployed', cell: ({ action }) => timeText(action.updatedAt) },
          {
            header: 'Manage',
            cell: ({ action, index }) =>
              h(
                'div',
                { class: 'button-row' },
                button('Move up', () => move(index, -1), 'secondary', {
                  class: 'button button-secondary button-small',
                  disabled: index === 0,
                  'data-move': `${action.name}:-1`,
                  'aria-label': `Move ${action.name} up`,
                }),
                button('Move down', () => move(index, 1), 'secondary', {
                  class: 'button button-secondary button-small',
                  disabled: index === order.length - 1,
                  'data-move': `${action.name}:1`,
                  'aria-label': `Move ${action.name} down`,
                }),
                button(action.enabled ? 'Disable' : 'Enable', () => void toggle(action), 'secondary', {
                  class: 'button button-secondary button-small',
                  'aria-label': `${action.enabled ? 'Disable' : 'Enable'} ${action.name}`,
                }),
              ),
          },
        ],
      }),
    );
  render();

  const { outcome } = context;
  if (outcome) {
    if (outcome.ok) context.announce(`Done after your new sign-in: ${outcome.operation.label}.`);
    else context.announce(`${outcome.operation.label}: ${describeError(outcome.error)}`, 'error');
  }

  const nameInput = textInput('name', {
    required: true,
    pattern: '[A-Za-z0-9._\\-]{1,64}',
    spellcheck: false,
  });
  const create = h(
    'form',
    { class: 'panel panel-inline', 'aria-labelledby': 'new-action' },
    h('h2', { id: 'new-action' }, 'New Action'),
    formField({
      label: 'Name',
      control: nameInput,
      hint: 'Letters, digits, . _ and -; it opens in the editor.',
    }),
    h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Open in the editor'),
  );
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(routeTo('#/actions/:name', { name: nameInput.value.trim() }));
  });

  return h(
    'div',
    {},
    h('h1', {}, 'Actions'),
    h(
      'p',
      { class: 'lead' },
      'Code that runs after a person is identified and before the application gets its tokens — for example to ask for MFA.',
    ),
    list,
    h('div', { class: 'button-row' }, saveOrder),
    create,
  );
};
