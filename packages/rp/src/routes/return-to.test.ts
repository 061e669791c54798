import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toSameOriginPath } from './return-to.ts';

const ORIGIN = 'https://app.example';

// Open-redirect vectors: only same-origin paths may pass.
const vectors: [unknown, string | undefined][] = [
  ['/salary', '/salary'],
  ['/salary?tab=2#top', '/salary?tab=2#top'],
  ['/a/../b', '/b'],
  ['https://evil.example/', undefined],
  ['//evil.example/path', undefined],
  ['/\\evil.example', undefined],
  ['\\\\evil.example', undefined],
  ['/path\\with-backslash', undefined],
  ['javascript:alert(1)', undefined],
  ['/\tfoo', undefined],
  ['/\r\nSet-Cookie:x=y', undefined],
  ['', undefined],
  ['salary', undefined],
  [undefined, undefined],
  [42, undefined],
  [`/${'a'.repeat(3000)}`, undefined],
  // Bypass shapes that only become another host after URL normalisation or decoding.
  ['/..//evil.example/x', undefined],
  ['/./..//evil.example', undefined],
  ['/a/..//evil.example', undefined],
  ['/%2F%2Fevil.example', undefined],
  ['/%2f/evil.example', undefined],
  ['/%5Cevil.example', undefined],
  ['/%5cevil.example', undefined],
  ['/%09/evil.example', undefined],
  ['/%0d%0aSet-Cookie:x=y', undefined],
  ['/%00', undefined],
  ['/%E2%80%AE', undefined],
  ['///evil.example', undefined],
  ['/\\evil.example', undefined],
  ['http:/evil.example', undefined],
  ['https:evil.example', undefined],
  ['//user@evil.example', undefined],
  ['/@evil.example', '/@evil.example'],
  ['/user@evil.example/x', '/user@evil.example/x'],
  ['https://app.example@evil.example/', undefined],
  ['https://app.example/salary', undefined],
  ['/\u3000evil.example', undefined],
  ['/salary%20page', '/salary%20page'],
  ['/caf%C3%A9', '/caf%C3%A9'],
  ['/search?q=%2F%2Fevil.example', '/search?q=%2F%2Fevil.example'],
];

for (const [value, expected] of vectors) {
  test(`returnTo ${JSON.stringify(value)?.slice(0, 40)} → ${expected ?? 'refused'}`, () => {
    assert.equal(toSameOriginPath(value, ORIGIN), expected);
  });
}
