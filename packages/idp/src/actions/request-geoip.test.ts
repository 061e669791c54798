import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookUpRequestGeoip } from './request-geoip.ts';

describe('lookUpRequestGeoip', () => {
  test('places public addresses by country, IPv4, IPv6 and IPv4-mapped alike', () => {
    const uk = { countryCode: 'GB', countryName: 'United Kingdom', continentCode: 'EU' };
    assert.deepEqual(lookUpRequestGeoip('81.2.69.160'), uk);
    assert.deepEqual(lookUpRequestGeoip('::ffff:81.2.69.160'), uk);
    assert.equal(lookUpRequestGeoip('2001:4860:4860::8888').countryCode, 'US');
  });

  test('private, loopback, link-local and malformed addresses have an empty location', () => {
    for (const ip of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '192.168.0.9',
      '172.20.1.1',
      '100.64.0.1',
      'fe80::1',
      'fd00::5',
      '',
      'x',
    ]) {
      assert.deepEqual(lookUpRequestGeoip(ip), {}, ip);
    }
  });
});
