import { h } from './element.ts';
import { button } from './form-field.ts';

/**
 * A client secret the API returned once: shown in a panel with a copy button. It lives only in this
 * element; leaving the page drops it.
 */
export function secretOnce(clientId: string, secret: string): HTMLElement {
  const status = h('span', { class: 'field-hint', role: 'status' });
  return h(
    'section',
    { class: 'secret-once', 'aria-labelledby': 'secret-once-title' },
    h('h2', { id: 'secret-once-title' }, `New secret of ${clientId}`),
    h('p', {}, 'Copy it now and store it with the application: it is shown only this once.'),
    h('code', { class: 'secret', 'data-secret': '' }, secret),
    h(
      'div',
      { class: 'button-row' },
      button('Copy secret', async () => {
        try {
          await navigator.clipboard.writeText(secret);
          status.textContent = 'Copied.';
        } catch {
          status.textContent = 'Copying was refused by the browser: select the secret and copy it.';
        }
      }),
      status,
    ),
  );
}
