import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.ts';

const cases: [name: string, value: unknown, expected: string][] = [
  [
    'keys sorted at every depth',
    { b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } },
    '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}',
  ],
  [
    'no whitespace, strings escaped',
    { iban: 'DE89 3704', holder: 'Alice "A"' },
    '{"holder":"Alice \\"A\\"","iban":"DE89 3704"}',
  ],
  ['undefined members dropped', { a: undefined, b: null }, '{"b":null}'],
  ['arrays keep their order', [2, 1], '[2,1]'],
  ['keys sorted by code unit, not locale', { a: 1, B: 2, é: 3 }, '{"B":2,"a":1,"é":3}'],
];

for (const [name, value, expected] of cases) {
  test(`canonicalJson: ${name}`, () => assert.equal(canonicalJson(value), expected));
}

test('canonicalJson: the same value in another key order has the same spelling', () => {
  assert.equal(
    canonicalJson({ type: 't', iban: 'x', holder: 'y' }),
    canonicalJson({ holder: 'y', type: 't', iban: 'x' }),
  );
});

test('canonicalJson: what is not JSON is a TypeError', () => {
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, new Date(0), () => 1, 1n, Symbol('s')]) {
    assert.throws(() => canonicalJson(value), TypeError);
  }
});

test('RFC 8785 3.2.2/3.2.3: members sorted by code unit, no whitespace, ECMAScript numbers', () => {
  assert.equal(
    // RFC 8785 3.2.2.3's number vector, parsed from its text as a received request would be.
    canonicalJson(
      JSON.parse(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"b":"x","a":[true,null,"\\u20ac"]}',
      ),
    ),
    '{"a":[true,null,"€"],"b":"x","numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}',
  );
  assert.equal(canonicalJson({ '\u00e9': 1, z: 2, A: 3 }), '{"A":3,"z":2,"é":1}');
});
