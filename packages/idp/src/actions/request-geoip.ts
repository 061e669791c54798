import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';

/**
 * `event.request.geoip`: where the address is, by country, in Auth0's field names. Empty for an
 * address the database does not place — private, loopback, link-local, reserved or unknown.
 */
export interface RequestGeoip {
  /** ISO 3166-1 alpha-2, e.g. `GB`. */
  countryCode?: string;
  countryName?: string;
  /** `AF`, `AN`, `AS`, `EU`, `NA`, `OC` or `SA`. */
  continentCode?: string;
}

interface CountryRecord {
  country: string;
  name?: string;
  continent?: string;
}

/** Ranges no public database can place; answered without a look-up. */
const NOT_ROUTED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  NOT_ROUTED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  NOT_ROUTED.addSubnet(network, prefix, 'ipv6');
}

let database: { lookup(ip: string): CountryRecord | null } | undefined;

/**
 * Looks the address up in the GeoLite2 country data that the `geoip-country` package ships: on this
 * machine, no network. The data (about 8 MB) is read on the first look-up, so a provider without
 * Actions never loads it. IPv4-mapped IPv6 addresses (`::ffff:81.2.69.160`) count as IPv4.
 */
export function lookUpRequestGeoip(ip: string): RequestGeoip {
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(address);
  if (family === 0 || NOT_ROUTED.check(address, family === 4 ? 'ipv4' : 'ipv6')) return {};
  database ??= createRequire(import.meta.url)('geoip-country') as typeof database & object;
  const record = database.lookup(address);
  if (!record) return {};
  return {
    countryCode: record.country,
    ...(record.name ? { countryName: record.name } : {}),
    ...(record.continent ? { continentCode: record.continent } : {}),
  };
}
