import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { readStepUpChallenge } from './read-step-up-challenge.ts';

const answer = (status: number, challenge?: string) =>
  new Response(null, {
    status,
    ...(challenge === undefined ? {} : { headers: { 'www-authenticate': challenge } }),
  });

test('an RFC 9470 challenge becomes the next authorization request parameters', () => {
  assert.deepEqual(
    readStepUpChallenge(
      answer(
        401,
        `Bearer error="insufficient_user_authentication", acr_values="${ACR_MULTI_FACTOR}", max_age=300`,
      ),
    ),
    { acr_values: ACR_MULTI_FACTOR, max_age: 300 },
  );
  assert.deepEqual(
    readStepUpChallenge(answer(401, 'Bearer error="insufficient_user_authentication", max_age="0"')),
    {
      max_age: 0,
    },
  );
});

test('other answers are not a step-up', () => {
  assert.equal(readStepUpChallenge(answer(401, 'Bearer error="invalid_token"')), undefined);
  assert.equal(readStepUpChallenge(answer(403, 'Bearer error="insufficient_scope", scope="a"')), undefined);
  assert.equal(
    readStepUpChallenge(answer(403, 'Bearer error="insufficient_user_authentication"')),
    undefined,
  );
  assert.equal(readStepUpChallenge(answer(401)), undefined);
  assert.equal(readStepUpChallenge(answer(401, 'Basic realm="x"')), undefined);
  assert.equal(readStepUpChallenge(answer(200)), undefined);
});
