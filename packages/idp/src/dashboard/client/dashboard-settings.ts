/** What the provider tells the dashboard about itself, in the page's `data-settings` attribute. */
export interface DashboardSettings {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** Where the dashboard lives. */
  dashboardUrl: string;
  /** Where the provider sends the browser after signing out (as registered for the dashboard client). */
  postLogoutRedirectUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint: string;
  /** The management API, also the RFC 8707 `resource` the access token is for. */
  apiBase: string;
  /** The multi-factor acr every dashboard session asks for. */
  acr: string;
  scopes: string[];
}

/** Reads the settings the provider rendered into the page. */
export function readDashboardSettings(root: HTMLElement): DashboardSettings {
  const text = root.dataset.settings;
  if (!text) throw new Error('the page carries no dashboard settings');
  return JSON.parse(text) as DashboardSettings;
}
