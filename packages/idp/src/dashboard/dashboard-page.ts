import { html } from '../interaction/views/html.ts';
import { documentStart } from '../interaction/views/layout.ts';
import type { DashboardSettings } from './client/dashboard-settings.ts';

/**
 * The one HTML document of the dashboard: an empty shell that the bundled script fills. No inline
 * script; the settings travel in a data attribute and the style nonce (for CodeMirror's `<style>`) in
 * a meta element.
 */
export function renderDashboardPage(options: {
  settings: DashboardSettings;
  scriptPath: string;
  /** Chunks the script imports at once: fetched alongside it rather than after it. */
  preloadPaths: readonly string[];
  stylesheetPath: string;
  styleNonce: string;
}): string {
  return html`${documentStart('Dashboard')}
<meta name="stepup-style-nonce" content="${options.styleNonce}">
<link rel="stylesheet" href="${options.stylesheetPath}">
<script type="module" src="${options.scriptPath}"></script>
${options.preloadPaths.map(
  (path) => html`<link rel="modulepreload" href="${path}">
`,
)}</head>
<body class="dashboard">
<div id="dashboard" data-settings="${JSON.stringify(options.settings)}">
<p class="dashboard-loading" role="status">Loading the dashboard…</p>
<noscript><p class="dashboard-loading">The dashboard needs JavaScript.</p></noscript>
</div>
</body>
</html>
`.toString();
}
