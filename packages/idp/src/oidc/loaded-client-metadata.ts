/** What a loaded oidc-provider client gives its registration through. */
export interface LoadedClient {
  metadata(): Record<string, unknown>;
}

const metadataByClient = new WeakMap<LoadedClient, Readonly<Record<string, unknown>>>();

/**
 * A loaded client's registration, built once per client: oidc-provider's `client.metadata()` builds
 * a new object, snake-casing every key, on each call, and the step-up checks read it on every
 * request. A loaded client never changes (oidc-provider loads a changed registration as a new
 * client), so neither does what this returns; do not modify it.
 */
export function loadedClientMetadata(client: LoadedClient): Readonly<Record<string, unknown>> {
  let metadata = metadataByClient.get(client);
  if (!metadata) {
    metadata = Object.freeze(client.metadata());
    metadataByClient.set(client, metadata);
  }
  return metadata;
}
