import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../config/config-schema.ts';
import { isEmailCodeFormat } from './email-code.ts';
import { resolveEmailSettings } from './email-settings.ts';
import { maskEmailAddress } from './mask-email-address.ts';

const issuer = 'https://id.example.com';

test('email defaults: on, 10-minute codes, 5 sends per 15 minutes, outbox in the data folder', () => {
  const config = { ...configSchema.parse({ dataDir: '/var/lib/stepup' }), issuer };
  assert.deepEqual(resolveEmailSettings(config), {
    enabled: true,
    from: 'Stepup <no-reply@id.example.com>',
    outboxDir: join('/var/lib/stepup', 'outbox'),
    codeTtlSeconds: 600,
    sends: { limit: 5, windowSeconds: 900 },
  });
});

test('explicit email settings are kept; a non-SMTP URL or an unknown key is refused by name', () => {
  const config = {
    ...configSchema.parse({
      email: {
        from: 'Acme <id@acme.test>',
        smtpUrl: 'smtps://u:p@smtp.acme.test:465',
        outboxDir: '/tmp/out',
      },
    }),
    issuer,
  };
  const settings = resolveEmailSettings(config);
  assert.equal(settings.from, 'Acme <id@acme.test>');
  assert.equal(settings.smtpUrl, 'smtps://u:p@smtp.acme.test:465');
  assert.equal(settings.outboxDir, '/tmp/out');

  const badUrl = configSchema.safeParse({ email: { smtpUrl: 'http://smtp.acme.test' } });
  assert.deepEqual(
    badUrl.error?.issues.map((issue) => issue.path.join('.')),
    ['email.smtpUrl'],
  );
  const badTtl = configSchema.safeParse({ email: { codeTtlSeconds: 0 } });
  assert.deepEqual(
    badTtl.error?.issues.map((issue) => issue.path.join('.')),
    ['email.codeTtlSeconds'],
  );
  const unknown = configSchema.safeParse({ email: { smtp: 'x' } });
  assert.equal(unknown.error?.issues[0]?.code, 'unrecognized_keys');
});

test('the address on the login page is masked', () => {
  assert.equal(maskEmailAddress('alice@example.com'), 'a•••e@example.com');
  assert.equal(maskEmailAddress('bob@example.com'), 'b•••@example.com');
  assert.equal(maskEmailAddress('a@b.c'), 'a•••@b.c');
  assert.equal(maskEmailAddress('odd"name@x@example.com'), 'o•••x@example.com');
  assert.equal(maskEmailAddress('no-at-sign'), '•••');
});

test('an email code is exactly six digits', () => {
  assert.equal(isEmailCodeFormat('012345'), true);
  assert.equal(isEmailCodeFormat('12345'), false);
  assert.equal(isEmailCodeFormat('1234567'), false);
  assert.equal(isEmailCodeFormat('12345a'), false);
  assert.equal(isEmailCodeFormat('١٢٣٤٥٦'), false, 'other scripts’ digits are not digits here');
});
