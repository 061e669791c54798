import { raw, type SafeHtml } from './html.ts';

// Inline SVG is markup, not a fetched resource: the CSP allows it, and it styles with currentColor.
const PATHS = {
  user: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-7 8-7s8 3 8 7"/>',
  lock: '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
  unlock: '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 7.7-1.5"/>',
  shield: '<path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z"/><path d="M9 12l2 2 4-4"/>',
  alert: '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5v.01"/>',
  check: '<circle cx="12" cy="12" r="9"/><path d="M8 12.5l2.8 2.8L16 10"/>',
  inbox: '<path d="M4 13l2.5-8h11L20 13v6H4z"/><path d="M4 13h4.5l1 2h5l1-2H20"/>',
  chart: '<path d="M4 20V10"/><path d="M10 20V4"/><path d="M16 20v-7"/><path d="M3 20h18"/>',
} as const;

export type IconName = keyof typeof PATHS;

/** A decorative icon, hidden from assistive technology: the text next to it carries the meaning. */
export function icon(name: IconName): SafeHtml {
  return raw(
    '<svg class="icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" ' +
      `stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${PATHS[name]}</svg>`,
  );
}

/** The app's mark in the header: a coin with a rising line. */
export function brandMark(): SafeHtml {
  return raw(
    '<svg class="brand-mark" width="26" height="26" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
      '<rect width="24" height="24" rx="6" fill="currentColor"/>' +
      '<path d="M6 16l4-4 3 3 5-6" fill="none" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>' +
      '<path d="M14.5 9H18v3.5" fill="none" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  );
}
