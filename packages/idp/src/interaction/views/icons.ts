import { raw, type SafeHtml } from './html.ts';

// Inline SVG is allowed by the CSP (it is markup, not a fetched resource) and styles with currentColor.
const PATHS = {
  lock: '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
  shield: '<path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z"/><path d="M9 12l2 2 4-4"/>',
  phone: '<rect x="7" y="2.5" width="10" height="19" rx="2"/><path d="M11 18h2"/>',
  alert: '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5v.01"/>',
  signOut:
    '<path d="M9 20H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h4"/><path d="M15 16l4-4-4-4"/><path d="M19 12H9"/>',
  check: '<circle cx="12" cy="12" r="9"/><path d="M8 12.5l2.8 2.8L16 10"/>',
  info: '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5"/><path d="M12 7.5v.01"/>',
} as const;

export type IconName = keyof typeof PATHS;

/** A decorative icon, hidden from assistive technology: the text next to it carries the meaning. */
export function icon(name: IconName): SafeHtml {
  return raw(
    '<svg class="icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" ' +
      `stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${PATHS[name]}</svg>`,
  );
}

/** The product mark shown in the header. */
export function brandMark(): SafeHtml {
  return raw(
    '<svg class="brand-mark" width="26" height="26" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
      '<rect width="24" height="24" rx="6" fill="currentColor"/>' +
      '<path d="M6 17.5h4v-4h4v-4h4V6" fill="none" stroke-width="2.2" ' +
      'stroke-linecap="round" stroke-linejoin="round"/></svg>',
  );
}
