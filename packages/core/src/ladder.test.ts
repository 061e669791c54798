import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACR_MULTI_FACTOR,
  ACR_ONE_FACTOR,
  ACR_PHISHING_RESISTANT,
  AcrLadder,
  type AcrLevel,
  createAcrLadder,
  DEFAULT_ACR_LADDER,
} from './ladder.ts';

test('DEFAULT_ACR_LADDER: one factor < multi-factor < phishing-resistant', () => {
  assert.deepEqual(DEFAULT_ACR_LADDER.levels, [
    { acr: 'urn:stepup:acr:one-factor', factors: 1 },
    { acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor', factors: 2, maxAge: 43200 },
    {
      acr: 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant',
      factors: 2,
      phishingResistant: true,
      maxAge: 43200,
    },
  ]);
});

const invalidLadders: { name: string; levels: unknown; names: string }[] = [
  { name: 'no levels', levels: [], names: 'at least one level' },
  { name: 'not an array', levels: { acr: 'urn:a', factors: 1 }, names: 'at least one level' },
  { name: 'level not an object', levels: [{ acr: 'urn:a', factors: 1 }, null], names: 'level 1 is' },
  { name: 'empty acr', levels: [{ acr: '', factors: 1 }], names: 'level 0 ("")' },
  { name: 'missing acr', levels: [{ factors: 1 }], names: 'level 0 needs' },
  {
    name: 'duplicate acr',
    levels: [
      { acr: 'urn:a', factors: 1 },
      { acr: 'urn:a', factors: 2 },
    ],
    names: 'level 1 ("urn:a")',
  },
  { name: 'zero factors', levels: [{ acr: 'urn:a', factors: 0 }], names: 'level 0 ("urn:a")' },
  { name: 'fractional factors', levels: [{ acr: 'urn:a', factors: 1.5 }], names: 'level 0 ("urn:a")' },
  {
    name: 'more factors than kinds exist',
    levels: [{ acr: 'urn:a', factors: 4 }],
    names: 'level 0 ("urn:a")',
  },
  { name: 'factors as a string', levels: [{ acr: 'urn:a', factors: '2' }], names: 'level 0 ("urn:a")' },
  {
    name: 'decreasing factors',
    levels: [
      { acr: 'urn:a', factors: 2 },
      { acr: 'urn:b', factors: 1 },
    ],
    names: 'level 1 ("urn:b")',
  },
  { name: 'zero maxAge', levels: [{ acr: 'urn:a', factors: 1, maxAge: 0 }], names: 'level 0 ("urn:a")' },
  { name: 'negative maxAge', levels: [{ acr: 'urn:a', factors: 1, maxAge: -5 }], names: 'level 0 ("urn:a")' },
  {
    name: 'fractional maxAge',
    levels: [{ acr: 'urn:a', factors: 1, maxAge: 1.5 }],
    names: 'level 0 ("urn:a")',
  },
  {
    name: 'infinite maxAge',
    levels: [{ acr: 'urn:a', factors: 1, maxAge: Number.POSITIVE_INFINITY }],
    names: 'level 0 ("urn:a")',
  },
  {
    name: 'phishingResistant not a boolean',
    levels: [{ acr: 'urn:a', factors: 1, phishingResistant: 'yes' }],
    names: 'level 0 ("urn:a")',
  },
  {
    name: 'higher level drops phishing resistance',
    levels: [
      { acr: 'urn:a', factors: 2, phishingResistant: true },
      { acr: 'urn:b', factors: 2 },
    ],
    names: 'level 1 ("urn:b")',
  },
  {
    name: 'higher level accepts older proofs',
    levels: [
      { acr: 'urn:a', factors: 1, maxAge: 300 },
      { acr: 'urn:b', factors: 2, maxAge: 3600 },
    ],
    names: 'level 1 ("urn:b")',
  },
  {
    name: 'higher level drops the maxAge of a lower one',
    levels: [
      { acr: 'urn:a', factors: 1, maxAge: 300 },
      { acr: 'urn:b', factors: 2 },
    ],
    names: 'level 1 ("urn:b")',
  },
];

for (const { name, levels, names } of invalidLadders) {
  test(`AcrLadder rejects ${name} with a TypeError naming ${names}`, () => {
    for (const build of [
      () => new AcrLadder(levels as AcrLevel[]),
      () => createAcrLadder(levels as AcrLevel[]),
    ]) {
      assert.throws(build, (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.ok(error.message.includes(names), error.message);
        return true;
      });
    }
  });
}

test('AcrLadder copies and freezes its levels', () => {
  const levels: AcrLevel[] = [
    { acr: 'urn:a', factors: 1 },
    { acr: 'urn:b', factors: 2, maxAge: 60 },
  ];
  const ladder = new AcrLadder(levels);
  levels[0] = { acr: 'urn:changed', factors: 1 };
  assert.equal(ladder.rankOf('urn:a'), 0);
  assert.equal(ladder.isKnown('urn:changed'), false);
  assert.equal(Object.isFrozen(ladder), true);
  assert.equal(Object.isFrozen(ladder.levels), true);
  assert.equal(Object.isFrozen(ladder.levels[1]), true);
  assert.deepEqual(ladder.level('urn:b'), { acr: 'urn:b', factors: 2, maxAge: 60 });
});

// Ranks deliberately run against string order: 'urn:z' < 'urn:m' < 'urn:a'.
const reversed = new AcrLadder([
  { acr: 'urn:z', factors: 1 },
  { acr: 'urn:m', factors: 2 },
  { acr: 'urn:a', factors: 3 },
]);

const rankCases: { name: string; ladder: AcrLadder; acr: string; rank: number | undefined }[] = [
  { name: 'default one-factor', ladder: DEFAULT_ACR_LADDER, acr: ACR_ONE_FACTOR, rank: 0 },
  { name: 'default multi-factor', ladder: DEFAULT_ACR_LADDER, acr: ACR_MULTI_FACTOR, rank: 1 },
  { name: 'default phishing-resistant', ladder: DEFAULT_ACR_LADDER, acr: ACR_PHISHING_RESISTANT, rank: 2 },
  { name: 'unknown', ladder: DEFAULT_ACR_LADDER, acr: 'urn:unknown', rank: undefined },
  { name: 'prefix of a known acr', ladder: DEFAULT_ACR_LADDER, acr: 'urn:stepup:acr', rank: undefined },
  { name: 'prototype key', ladder: DEFAULT_ACR_LADDER, acr: 'constructor', rank: undefined },
  { name: 'reversed lowest', ladder: reversed, acr: 'urn:z', rank: 0 },
  { name: 'reversed highest', ladder: reversed, acr: 'urn:a', rank: 2 },
];

for (const { name, ladder, acr, rank } of rankCases) {
  test(`rankOf / isKnown / level: ${name}`, () => {
    assert.equal(ladder.rankOf(acr), rank);
    assert.equal(ladder.isKnown(acr), rank !== undefined);
    assert.equal(ladder.level(acr), rank === undefined ? undefined : ladder.levels[rank]);
  });
}

const meetsCases: {
  name: string;
  ladder: AcrLadder;
  actual: string;
  requested: string;
  expected: boolean;
}[] = [
  {
    name: 'same level',
    ladder: DEFAULT_ACR_LADDER,
    actual: ACR_MULTI_FACTOR,
    requested: ACR_MULTI_FACTOR,
    expected: true,
  },
  {
    name: 'higher meets lower',
    ladder: DEFAULT_ACR_LADDER,
    actual: ACR_PHISHING_RESISTANT,
    requested: ACR_ONE_FACTOR,
    expected: true,
  },
  {
    name: 'lower fails higher',
    ladder: DEFAULT_ACR_LADDER,
    actual: ACR_MULTI_FACTOR,
    requested: ACR_PHISHING_RESISTANT,
    expected: false,
  },
  // 'urn:…' sorts after 'http://…', yet one-factor is the lowest rank.
  {
    name: 'not by string order',
    ladder: DEFAULT_ACR_LADDER,
    actual: ACR_ONE_FACTOR,
    requested: ACR_MULTI_FACTOR,
    expected: false,
  },
  {
    name: 'reversed: urn:a meets urn:z',
    ladder: reversed,
    actual: 'urn:a',
    requested: 'urn:z',
    expected: true,
  },
  {
    name: 'reversed: urn:z fails urn:a',
    ladder: reversed,
    actual: 'urn:z',
    requested: 'urn:a',
    expected: false,
  },
  {
    name: 'unknown actual',
    ladder: DEFAULT_ACR_LADDER,
    actual: 'urn:unknown',
    requested: ACR_ONE_FACTOR,
    expected: false,
  },
  {
    name: 'unknown requested',
    ladder: DEFAULT_ACR_LADDER,
    actual: ACR_PHISHING_RESISTANT,
    requested: 'urn:unknown',
    expected: false,
  },
  {
    name: 'both unknown and equal',
    ladder: DEFAULT_ACR_LADDER,
    actual: 'urn:x',
    requested: 'urn:x',
    expected: false,
  },
];

for (const { name, ladder, actual, requested, expected } of meetsCases) {
  test(`meets: ${name}`, () => {
    assert.equal(ladder.meets(actual, requested), expected);
  });
}
