import { h } from './element.ts';

/**
 * Asks before a change that cannot be undone, in a modal `<dialog>` (focus moves into it, Escape
 * cancels, focus returns where it was). Resolves true when the operator confirms.
 */
export function confirmChange(options: {
  title: string;
  message: string;
  confirmLabel: string;
  /** A control that shapes the change (a checkbox), shown under the message; the caller reads it. */
  choice?: HTMLElement;
}): Promise<boolean> {
  const returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, options.title),
        h('p', {}, options.message),
        options.choice,
        h(
          'div',
          { class: 'button-row' },
          h('button', { class: 'button button-secondary', value: 'cancel', autofocus: true }, 'Cancel'),
          h('button', { class: 'button button-danger', value: 'confirm' }, options.confirmLabel),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      returnFocus?.focus();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
