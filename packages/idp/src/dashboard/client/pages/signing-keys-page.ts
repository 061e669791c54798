import type { KeyResource, ListPage } from '../api-types.ts';
import { confirmChange } from '../confirm-dialog.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button } from '../form-field.ts';
import type { Page } from '../page.ts';
import { timeText } from '../time-text.ts';

type RotateResult = { items: KeyResource[]; activates_at: string; restart_required: boolean };

const STATUS_LABELS: Record<KeyResource['status'], string> = {
  current: 'Signing',
  next: 'Published: signs from its start time',
  previous: 'Previous: still verifies',
};

function keysTable(keys: readonly KeyResource[]): HTMLElement {
  return dataTable({
    caption: 'Signing keys',
    empty: 'No signing key is published.',
    rows: keys,
    columns: [
      { header: 'Key id', kind: 'code', cell: (key) => key.kid },
      { header: 'Algorithm', cell: (key) => key.alg },
      {
        header: 'Status',
        cell: (key) =>
          h(
            'span',
            { class: key.status === 'current' ? 'badge badge-on' : 'badge' },
            STATUS_LABELS[key.status],
          ),
      },
      { header: 'Signs from', cell: (key) => timeText(key.activates_at) },
      { header: 'Retires', cell: (key) => timeText(key.retires_at) },
    ],
  });
}

/** Signing keys: the public facts of the provider's keys, and a rotation with overlap. */
export const signingKeysPage: Page = async (context) => {
  const list = h('div', {});
  const keys = await context.runner.load<ListPage<KeyResource>>({ method: 'GET', path: '/keys' });
  replaceChildren(list, keysTable(keys.items));
  const announceRotation = (result: RotateResult) => {
    replaceChildren(list, keysTable(result.items));
    context.announce(
      `New keys are published now and sign tokens from ${new Date(result.activates_at).toLocaleString()}; the old ones sign until then and keep verifying until they retire.`,
    );
  };
  const rotate = button(
    'Rotate keys',
    async () => {
      const confirmed = await confirmChange({
        title: 'Rotate the signing keys?',
        message:
          'New keys are published at once and sign ID tokens and access tokens shortly after, once every node serves them; the current ones stay published until they retire, so tokens already issued stay valid.',
        confirmLabel: 'Rotate keys',
      });
      if (!confirmed) return;
      try {
        announceRotation(
          await context.runner.perform<RotateResult>({
            kind: 'keys.rotate',
            label: 'Rotate the signing keys',
            request: { method: 'POST', path: '/keys/rotate' },
          }),
        );
      } catch (error) {
        context.announce(describeError(error), 'error');
      }
    },
    'danger',
  );
  if (context.outcome?.ok) announceRotation(context.outcome.value as RotateResult);
  else if (context.outcome)
    context.announce(`${context.outcome.operation.label}: ${describeError(context.outcome.error)}`, 'error');
  return h(
    'div',
    {},
    h('h1', {}, 'Signing keys'),
    h(
      'p',
      { class: 'lead' },
      'The keys that sign tokens, as published at the JWKS endpoint. Rotating needs a sign-in from the last few minutes.',
    ),
    list,
    h('div', { class: 'button-row' }, rotate),
  );
};
