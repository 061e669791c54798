// The one oidc-provider module we read outside its public API (read-provider-features.ts).
declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  export default function readInstance(provider: object): unknown;
}
