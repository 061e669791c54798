import { ACR_MULTI_FACTOR } from '@stepup/core';
import {
  DASHBOARD_CLIENT_ID,
  MANAGEMENT_SCOPES,
  managementApiIdentifier,
} from '../admin/management-api-identity.ts';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import type { DashboardSettings } from './client/dashboard-settings.ts';

/** What the browser code needs to know about this provider, handed to it in the page. */
export function dashboardSettingsFor(issuer: string): DashboardSettings {
  const base = issuer.replace(/\/$/, '');
  return {
    issuer,
    clientId: DASHBOARD_CLIENT_ID,
    redirectUri: `${base}/dashboard/callback`,
    dashboardUrl: `${base}/dashboard`,
    postLogoutRedirectUri: `${base}/dashboard/`,
    authorizationEndpoint: `${base}${PROVIDER_ROUTES.authorization}`,
    tokenEndpoint: `${base}${PROVIDER_ROUTES.token}`,
    endSessionEndpoint: `${base}${PROVIDER_ROUTES.end_session}`,
    apiBase: managementApiIdentifier(base),
    acr: ACR_MULTI_FACTOR,
    scopes: [...MANAGEMENT_SCOPES],
  };
}
