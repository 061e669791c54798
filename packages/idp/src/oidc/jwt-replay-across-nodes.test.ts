import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from '../testing/client-assertion.ts';
import { createDpopProof, type DpopKey, generateDpopKey } from '../testing/dpop-proof.ts';
import { providerStores } from '../testing/provider-stores.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

// A DPoP proof's jti (RFC 9449 11.1) and a client assertion's jti (RFC 7523 3) are used once, on
// whichever node of the installation they arrive: each store the nodes may share is tried.
const STORES = await providerStores();

const CLIENT_SECRET = 'replay-client-secret-0123456789abcdef0';

interface Answer {
  status: number;
  error?: string;
  nonce: string | null;
}

async function post(
  url: URL,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    ...(response.status >= 400 ? { error: (JSON.parse(text) as { error: string }).error } : {}),
    nonce: response.headers.get('dpop-nonce'),
  };
}

for (const store of STORES) {
  describe(`single-use JWTs across two nodes on ${store.name}`, { skip: store.skip ?? false }, () => {
    let first: TestProvider;
    let second: TestProvider;
    let publicJwk: JWK;
    let privateKey: CryptoKey;

    before(async () => {
      await store.clear();
      first = await startTestProvider(store.settings());
      second = await startTestProvider({ ...store.settings(first.dataDir), issuer: first.issuer });
      ({ privateKey, publicKey: publicJwk } = await (async () => {
        const pair = await generateKeyPair('ES256', { extractable: true });
        return {
          privateKey: pair.privateKey,
          publicKey: { ...(await exportJWK(pair.publicKey)), alg: 'ES256' },
        };
      })());
      await first.addClient({
        client_id: 'machine',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [publicJwk] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
      await first.addClient({
        client_id: 'dpop-machine',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
    });
    after(async () => {
      await second?.close({ removeData: false });
      await first?.close();
    });

    const nodes = () => [first.origin, second.origin];
    const revocation = (origin: string) => new URL(PROVIDER_ROUTES.revocation, origin);
    const token = (origin: string) => new URL(PROVIDER_ROUTES.token, origin);
    const assertion = () =>
      signClientAssertion({ clientId: 'machine', audience: first.issuer, privateKey, alg: 'ES256' });
    const authenticate = (origin: string, clientAssertion: string) =>
      post(revocation(origin), {
        client_id: 'machine',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: clientAssertion,
        token: 'not-a-token',
      });

    test('a client assertion used on one node is refused on the other with invalid_client', async () => {
      const once = await assertion();
      assert.equal((await authenticate(first.origin, once)).status, 200);
      const replay = await authenticate(second.origin, once);
      assert.deepEqual([replay.status, replay.error], [401, 'invalid_client']);
      // Positive control: a fresh assertion is accepted by the second node.
      assert.equal((await authenticate(second.origin, await assertion())).status, 200);
    });

    test('one client assertion sent 100 times at once, half to each node, authenticates exactly once', async () => {
      const once = await assertion();
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, index) => authenticate(nodes()[index % 2] ?? '', once)),
      );
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
      assert.equal(answers.filter((answer) => answer.error === 'invalid_client').length, 99);
    });

    async function dpopTokenRequest(origin: string, key: DpopKey, proof?: string) {
      const htu = new URL(PROVIDER_ROUTES.token, first.issuer).href;
      return post(
        token(origin),
        { grant_type: 'client_credentials', client_id: 'dpop-machine', client_secret: CLIENT_SECRET },
        { dpop: proof ?? (await createDpopProof(key, { htm: 'POST', htu })) },
      );
    }

    async function proofWithNonce(key: DpopKey): Promise<string> {
      const challenge = await dpopTokenRequest(first.origin, key);
      assert.deepEqual([challenge.status, challenge.error], [400, 'use_dpop_nonce']);
      const htu = new URL(PROVIDER_ROUTES.token, first.issuer).href;
      return createDpopProof(key, { htm: 'POST', htu, nonce: challenge.nonce ?? '' });
    }

    // At the token endpoint oidc-provider answers a replayed proof with invalid_grant
    // ("DPoP proof JWT Replay detected"); a malformed one gets invalid_dpop_proof.
    test('a DPoP proof used on one node is refused on the other with invalid_grant', async () => {
      const key = await generateDpopKey();
      const proof = await proofWithNonce(key);
      assert.equal((await dpopTokenRequest(first.origin, key, proof)).status, 200);
      const replay = await dpopTokenRequest(second.origin, key, proof);
      assert.deepEqual([replay.status, replay.error], [400, 'invalid_grant']);
      // Positive control: the nonce one node issued works on the other with a fresh proof.
      assert.equal((await dpopTokenRequest(second.origin, key, await proofWithNonce(key))).status, 200);
    });

    test('one DPoP proof sent 100 times at once, half to each node, gets exactly one token', async () => {
      const key = await generateDpopKey();
      const proof = await proofWithNonce(key);
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, index) => dpopTokenRequest(nodes()[index % 2] ?? '', key, proof)),
      );
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
      assert.equal(answers.filter((answer) => answer.error === 'invalid_grant').length, 99);
    });
  });
}
