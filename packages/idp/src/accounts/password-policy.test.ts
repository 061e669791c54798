import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import argon2 from 'argon2';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { checkNewPassword } from './password-policy.ts';

const POLICY = { minLength: 8 };

describe('checkNewPassword (NIST SP 800-63B-4)', () => {
  for (const common of ['password', '12345678', 'Password1', 'iloveyou1', 'QWERTYUIOP', 'ｐａｓｓｗｏｒｄ']) {
    test(`refuses the common or leaked password ${JSON.stringify(common)}`, async () => {
      assert.equal((await checkNewPassword(common, POLICY))?.code, 'password_too_common');
    });
  }

  test('counts characters, not bytes or UTF-16 units, after normalisation', async () => {
    assert.equal((await checkNewPassword('ab🔑🔑🔑🔑c', POLICY))?.code, 'password_too_short', '7 characters');
    assert.equal(await checkNewPassword('ab🔑🔑🔑🔑cd', POLICY), undefined, '8 characters');
    // "e" and a combining acute accent are one character once composed.
    assert.equal((await checkNewPassword('cafe\u0301-ba', POLICY))?.code, 'password_too_short');
  });

  test('accepts long passphrases of any characters, with no composition rules', async () => {
    assert.equal(await checkNewPassword('x'.repeat(64), POLICY), undefined);
    assert.equal(
      await checkNewPassword('tout le monde aime les crêpes 🥞 au petit déjeuner', POLICY),
      undefined,
    );
    assert.equal(await checkNewPassword('correct horse battery', POLICY), undefined);
    assert.equal(await checkNewPassword('4gqn-nstg-4gkn', POLICY), undefined, 'the demo tenant passwords');
    assert.equal((await checkNewPassword('y'.repeat(1025), POLICY))?.code, 'password_too_long');
  });

  test('takes the configured minimum length', async () => {
    assert.equal(await checkNewPassword('quiet river stone', { minLength: 15 }), undefined);
    assert.equal((await checkNewPassword('river stone 42', { minLength: 15 }))?.code, 'password_too_short');
  });

  test("refuses the account's own username or email address", async () => {
    const accountWords = ['Margaret.Hamilton', 'margaret.hamilton@example.com'];
    for (const candidate of ['margaret.hamilton', 'MARGARET.HAMILTON@example.com']) {
      assert.equal(
        (await checkNewPassword(candidate, { ...POLICY, accountWords }))?.code,
        'password_matches_account',
      );
    }
    assert.equal(await checkNewPassword('hamilton apollo code', { ...POLICY, accountWords }), undefined);
  });

  test('each refusal says what to do', async () => {
    assert.match((await checkNewPassword('short', POLICY))?.message ?? '', /at least 8 characters/);
    assert.match((await checkNewPassword('password', POLICY))?.message ?? '', /Choose another/);
  });
});

describe('password hashing with normalisation', () => {
  test('a password verifies however its accents were typed (NFC or NFD)', async () => {
    const hash = await hashPassword('crème brûlée pour deux');
    assert.equal(await verifyPassword(hash, 'cre\u0300me bru\u0302le\u0301e pour deux'), true);
    assert.equal(await verifyPassword(hash, 'creme brulee pour deux'), false);
  });

  test('a hash made before normalisation still verifies the password as it was typed', async () => {
    const typed = 'cre\u0300me bru\u0302le\u0301e pour deux';
    const legacy = await argon2.hash(typed, { type: argon2.argon2id });
    assert.equal(await verifyPassword(legacy, typed), true);
    assert.equal(await verifyPassword(legacy, 'creme brulee pour deux'), false);
  });
});
