import { type Child, h, uniqueId } from './element.ts';

/** A labelled control with an optional hint, wired with `for` and `aria-describedby`. */
export function formField(options: {
  label: string;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  hint?: string;
}): HTMLDivElement {
  const { control } = options;
  control.id ||= uniqueId('field');
  const hint = options.hint ? h('p', { class: 'field-hint', id: `${control.id}-hint` }, options.hint) : null;
  if (hint) control.setAttribute('aria-describedby', hint.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, options.label), hint, control);
}

/** A text input with the sign-in pages' look. */
export function textInput(name: string, props: Record<string, string | boolean> = {}): HTMLInputElement {
  return h('input', { class: 'input', name, type: 'text', autocomplete: 'off', ...props });
}

/** A select of fixed options; `selected` picks the current one. */
export function selectInput(
  name: string,
  options: readonly (string | { value: string; label: string })[],
  selected?: string,
): HTMLSelectElement {
  return h(
    'select',
    { class: 'input', name },
    options.map((option) => {
      const { value, label } = typeof option === 'string' ? { value: option, label: option } : option;
      return h('option', { value, selected: value === selected }, label);
    }),
  );
}

/** A checkbox with its label on the same line. */
export function checkboxField(options: { label: string; name: string; checked: boolean; hint?: string }): {
  field: HTMLDivElement;
  input: HTMLInputElement;
} {
  const input = h('input', {
    type: 'checkbox',
    name: options.name,
    id: uniqueId('check'),
    checked: options.checked,
  });
  const hint = options.hint ? h('span', { class: 'field-hint' }, options.hint) : null;
  return {
    input,
    field: h(
      'div',
      { class: 'field field-check' },
      input,
      h('label', { for: input.id }, options.label),
      hint,
    ),
  };
}

/** A button; `variant` picks the look of the sign-in pages (`primary`, `secondary`) or `danger`. */
export function button(
  label: Child,
  onclick: (event: Event) => void,
  variant: 'primary' | 'secondary' | 'danger' = 'secondary',
  props: Record<string, string | boolean> = {},
): HTMLButtonElement {
  return h('button', { type: 'button', class: `button button-${variant}`, onclick, ...props }, label);
}

/** Marks the control named by an API error (`details.field`) as invalid and moves focus to it. */
export function pointAtField(form: HTMLFormElement, field: string | undefined): void {
  for (const control of Array.from(form.querySelectorAll('[aria-invalid="true"]'))) {
    control.removeAttribute('aria-invalid');
  }
  if (!field) return;
  const name = field.replace(/^body\./, '').split('.')[0] ?? '';
  const control = form.elements.namedItem(name);
  if (control instanceof HTMLElement) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
}
