/** What `h` accepts as a child: nodes, text (always inserted as text, never parsed), or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Attributes (strings; `true` for a boolean attribute, `false`/`undefined` to leave it out) and listeners. */
export type Props = Record<string, string | number | boolean | undefined | EventListener>;

/**
 * Creates an element. Text is set as text, so data from the API can never become markup; `on*` props
 * are listeners. The dashboard builds all of its DOM with this — there is no `innerHTML` anywhere.
 *
 * @example
 * h('button', { type: 'button', onclick: () => save() }, 'Save')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (flattened; empty ones skipped) as `h` does. */
export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let nextId = 0;

/** A document-unique id for pairing a label or a description with its control. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
