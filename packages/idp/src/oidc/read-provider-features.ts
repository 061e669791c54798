import type { Provider } from 'oidc-provider';
// oidc-provider keeps its resolved configuration out of its public API; this is the reader its own
// modules use. Only the live list of `authorization_details` types needs it (rich-authorization-requests.ts).
import readInstance from 'oidc-provider/lib/helpers/weak_cache.js';

interface ProviderFeatures {
  richAuthorizationRequests: { types: Record<string, { validate: (...args: never[]) => unknown }> };
}

/** The running provider's `features` (the configuration after oidc-provider merged its defaults). */
export function readProviderFeatures(provider: Provider): ProviderFeatures {
  const features = (readInstance(provider) as { features?: ProviderFeatures } | undefined)?.features;
  if (!features?.richAuthorizationRequests?.types) {
    throw new Error('oidc-provider no longer exposes its features where expected; check its upgrade');
  }
  return features;
}
