import { describeError } from './describe-error.ts';
import { h, replaceChildren } from './element.ts';
import type { OperationOutcome } from './operation-runner.ts';
import type { PageContext } from './page.ts';
import { matchRoute, type Route } from './router.ts';

const SVG = 'http://www.w3.org/2000/svg';

function brandMark(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [name, value] of Object.entries({
    class: 'brand-mark',
    width: '26',
    height: '26',
    viewBox: '0 0 24 24',
    'aria-hidden': 'true',
    focusable: 'false',
  })) {
    svg.setAttribute(name, value);
  }
  const square = document.createElementNS(SVG, 'rect');
  for (const [name, value] of Object.entries({ width: '24', height: '24', rx: '6', fill: 'currentColor' })) {
    square.setAttribute(name, value);
  }
  const steps = document.createElementNS(SVG, 'path');
  for (const [name, value] of Object.entries({
    d: 'M6 17.5h4v-4h4v-4h4V6',
    fill: 'none',
    'stroke-width': '2.2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  })) {
    steps.setAttribute(name, value);
  }
  svg.append(square, steps);
  return svg;
}

/** The sections of the navigation, in order: the section name each route declares, and its link. */
export interface Section {
  name: string;
  href: string;
}

/**
 * The dashboard's frame: header with the operator and Sign out, the navigation, and the main region
 * where the page of the current hash route renders. On each route change it moves focus to the new
 * page's heading, so keyboard and screen reader users land on what changed.
 */
export function startShell(options: {
  root: HTMLElement;
  routes: readonly Route[];
  sections: readonly Section[];
  operatorName: string;
  context: Omit<PageContext, 'params' | 'outcome' | 'announce' | 'navigate'>;
  onSignOut: () => void;
  /** A change sent again after a sign-in, handed to the page at its route once. */
  outcome: OperationOutcome | undefined;
}): void {
  const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const page = h('div', { class: 'page' });
  const main = h('main', { class: 'dash-main', id: 'main', tabindex: '-1' }, notices, page);
  const links = options.sections.map((section) => h('a', { href: section.href }, section.name));
  replaceChildren(
    options.root,
    h(
      'div',
      { class: 'dash' },
      h(
        'header',
        { class: 'dash-header' },
        h(
          'p',
          { class: 'brand' },
          brandMark(),
          h('span', {}, 'Stepup'),
          h('span', { class: 'brand-sub' }, 'Dashboard'),
        ),
        h(
          'div',
          { class: 'operator' },
          h('span', {}, 'Signed in as ', h('strong', {}, options.operatorName)),
          h(
            'button',
            { type: 'button', class: 'button button-secondary button-small', onclick: options.onSignOut },
            'Sign out',
          ),
        ),
      ),
      h(
        'nav',
        { class: 'dash-nav', 'aria-label': 'Dashboard' },
        h(
          'ul',
          {},
          links.map((link) => h('li', {}, link)),
        ),
      ),
      main,
    ),
  );

  const announce = (message: string, tone: 'success' | 'error' = 'success') => {
    replaceChildren(
      notices,
      h(
        'div',
        { class: tone === 'error' ? 'alert alert-error' : 'notice notice-success' },
        h('p', {}, message),
      ),
    );
  };
  let pendingOutcome = options.outcome;
  /** A message for the next page, from a page that is gone (a deleted user's). */
  let carriedMessage: string | undefined;
  let renderCount = 0;

  const render = async () => {
    renderCount += 1;
    const current = renderCount;
    const hash = window.location.hash || '#/applications';
    const match = matchRoute(options.routes, hash);
    for (const [index, link] of links.entries()) {
      const section = options.sections[index];
      if (match && section?.name === match.route.section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    replaceChildren(notices);
    if (carriedMessage) announce(carriedMessage);
    carriedMessage = undefined;
    if (!match) {
      replaceChildren(
        page,
        h('h1', { tabindex: '-1' }, 'Page not found'),
        h('p', {}, 'Choose a section above.'),
      );
      return;
    }
    const outcome = pendingOutcome && pendingOutcome.operation.route === hash ? pendingOutcome : undefined;
    pendingOutcome = undefined;
    replaceChildren(page, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    let content: HTMLElement;
    try {
      content = await match.route.page({
        ...options.context,
        params: match.params,
        outcome,
        announce,
        navigate: (route, message) => {
          carriedMessage = message;
          window.location.hash = route;
        },
      });
    } catch (error) {
      content = h(
        'div',
        {},
        h('h1', { tabindex: '-1' }, 'This page could not be shown'),
        h('div', { class: 'alert alert-error', role: 'alert' }, h('p', {}, describeError(error))),
      );
    }
    if (current !== renderCount) return; // another route was chosen meanwhile
    replaceChildren(page, content);
    const heading = page.querySelector('h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
    document.title = `${heading?.textContent ?? 'Dashboard'} – Stepup dashboard`;
  };
  window.addEventListener('hashchange', () => void render());
  if (!window.location.hash) window.history.replaceState(null, '', '#/applications');
  void render();
}
