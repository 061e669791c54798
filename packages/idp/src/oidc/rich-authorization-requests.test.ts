import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { SALARY_PAYOUT_ACCOUNT } from '../authorization-details/testing/salary-payout-account-type.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectCallback, expectPage, TestRelyingParty } from '../testing/test-relying-party.ts';

const CLIENT_SECRET = 'rar-client-secret-0123456789abcdef01234';
const SALARY_API = 'https://salary.example/api';
const PAYOUT = [
  { type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Alice Example' },
];

describe('authorization_details (RFC 9396) checked against the operator registry', () => {
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider();
    await idp.stepup.store.authorizationDetailTypes.upsert(SALARY_PAYOUT_ACCOUNT);
    await idp.stepup.store.resourceServers.upsert({
      identifier: SALARY_API,
      scopes: ['payout:write'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    await idp.addClient({ client_id: 'rar-client', client_secret: CLIENT_SECRET });
    await idp.addClient({
      client_id: 'rar-limited',
      client_secret: CLIENT_SECRET,
      authorization_details_types: ['payment_initiation'],
    });
  });
  after(() => idp.close());

  const relyingParty = (clientId = 'rar-client') =>
    TestRelyingParty.discover(idp.issuer, clientId, { client_secret: CLIENT_SECRET });

  async function authorizeError(details: unknown, clientId?: string): Promise<string | null> {
    const rp = await relyingParty(clientId);
    const callback = expectCallback(
      await rp.open(
        await rp.authorizationUrl({ resource: SALARY_API, authorization_details: JSON.stringify(details) }),
      ),
    );
    assert.equal(callback.searchParams.get('code'), null);
    return callback.searchParams.get('error');
  }

  async function pushError(details: unknown): Promise<string> {
    const rp = await relyingParty();
    const refused = await rp
      .pushedAuthorizationUrl({ resource: SALARY_API, authorization_details: JSON.stringify(details) })
      .then(
        () => assert.fail('the pushed request was accepted'),
        (error: unknown) => error,
      );
    assert.ok(refused instanceof oidc.ResponseBodyError, String(refused));
    assert.equal(refused.status, 400);
    return refused.error;
  }

  test('discovery lists the registered types', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(document.authorization_details_types_supported, ['salary_payout_account']);
  });

  test('details of a registered type that satisfy its schema are accepted at /authorize and through PAR', async () => {
    const rp = await relyingParty();
    const inUrl = expectPage(
      await rp.open(
        await rp.authorizationUrl({ resource: SALARY_API, authorization_details: JSON.stringify(PAYOUT) }),
      ),
    );
    assert.match(inUrl.html, /name="password"/);
    const pushed = expectPage(
      await rp.inNewBrowser().open(
        await rp.pushedAuthorizationUrl({
          resource: SALARY_API,
          authorization_details: JSON.stringify(PAYOUT),
        }),
      ),
    );
    assert.match(pushed.html, /name="password"/);
  });

  test('an unknown type is refused with invalid_authorization_details, at /authorize and through PAR', async () => {
    const unknown = [{ type: 'payment_initiation', amount: '10.00' }];
    assert.equal(await authorizeError(unknown), 'invalid_authorization_details');
    assert.equal(await pushError(unknown), 'invalid_authorization_details');
  });

  test('details that break the schema are refused with invalid_authorization_details', async () => {
    const missingHolder = [{ type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00' }];
    const extraMember = [{ ...PAYOUT[0], amount: '1000000' }];
    const badIban = [{ ...PAYOUT[0], iban: 'not an iban' }];
    for (const details of [missingHolder, extraMember, badIban]) {
      assert.equal(await authorizeError(details), 'invalid_authorization_details', JSON.stringify(details));
      assert.equal(await pushError(details), 'invalid_authorization_details', JSON.stringify(details));
    }
    assert.equal(await authorizeError({ type: 'salary_payout_account' }), 'invalid_authorization_details');
  });

  test('the access token details are for an API: without a resource the request is invalid_target', async () => {
    const rp = await relyingParty();
    const callback = expectCallback(
      await rp.open(await rp.authorizationUrl({ authorization_details: JSON.stringify(PAYOUT) })),
    );
    assert.equal(callback.searchParams.get('error'), 'invalid_target');
  });

  test('a client whose registration names other types is refused the registered one', async () => {
    assert.equal(await authorizeError(PAYOUT, 'rar-limited'), 'invalid_authorization_details');
  });

  test('a type registered or removed in the store (as the CLI does) applies once the node checks for changes', async () => {
    const payment = {
      type: 'payment_initiation',
      description: 'Pay',
      schema: {
        type: 'object',
        required: ['type', 'amount'],
        properties: { type: { const: 'payment_initiation' }, amount: { type: 'string' } },
      },
      displayFields: [{ field: 'amount', label: 'amount' }],
    };
    const details = [{ type: 'payment_initiation', amount: '10.00' }];
    // Unknown, and the node has read the types (whichever test of this file runs first).
    assert.equal(await authorizeError(details), 'invalid_authorization_details');
    await idp.stepup.store.authorizationDetailTypes.upsert(payment);
    // Read once and kept: the node sees the new type at its next check (every `admin.changeCheckSeconds`,
    // or when another node announces a change), not before.
    assert.equal(await authorizeError(details), 'invalid_authorization_details');
    await idp.stepup.checkForChanges();
    try {
      const rp = await relyingParty();
      const page = expectPage(
        await rp.open(
          await rp.authorizationUrl({ resource: SALARY_API, authorization_details: JSON.stringify(details) }),
        ),
      );
      assert.match(page.html, /name="password"/);
    } finally {
      await idp.stepup.store.authorizationDetailTypes.remove('payment_initiation');
      await idp.stepup.checkForChanges();
    }
    assert.equal(await authorizeError(details), 'invalid_authorization_details');
  });
});
