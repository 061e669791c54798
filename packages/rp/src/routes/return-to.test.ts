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
];

for (const [value, expected] of vectors) {
  test(`returnTo ${JSON.stringify(value)?.slice(0, 40)} → ${expected ?? 'refused'}`, () => {
    assert.equal(toSameOriginPath(value, ORIGIN), expected);
  });
}
