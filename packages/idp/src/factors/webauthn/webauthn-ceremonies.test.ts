import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, type TestContext, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { AddWebAuthnCredentialInput } from '../../store/webauthn-credentials.ts';
import { SoftwareAuthenticator } from '../../testing/software-authenticator.ts';
import { issueAuthenticationOptions } from './issue-authentication-options.ts';
import { issueRegistrationOptions, userHandleOf } from './issue-registration-options.ts';
import { verifyAuthentication } from './verify-authentication.ts';
import { verifyRegistration } from './verify-registration.ts';
import type { WebAuthnErrorCode } from './webauthn-error.ts';
import { methodForAssertion } from './webauthn-method.ts';
import {
  relyingPartyFor,
  WEBAUTHN_CHALLENGE_TTL_SECONDS,
  type WebAuthnContext,
} from './webauthn-relying-party.ts';

const NOW = 1_700_000_000;
const ISSUER = 'http://localhost:3000';
const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';
const INTERACTION = 'interaction-1';

async function setUp(t: TestContext) {
  const store = await openSqliteStore({ file: ':memory:' });
  t.after(() => store.close());
  const context: WebAuthnContext = {
    relyingParty: relyingPartyFor(ISSUER),
    credentials: store.webauthnCredentials,
    challenges: store.webauthnChallenges,
  };
  const alice = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
  const bob = await store.users.create({ username: 'bob', passwordHash: 'h', now: NOW });
  async function register(
    userId: string,
    authenticator: SoftwareAuthenticator,
    kind: Partial<AddWebAuthnCredentialInput> = {},
  ) {
    return store.webauthnCredentials.add({
      id: authenticator.credentialId,
      userId,
      publicKey: authenticator.publicKey,
      counter: authenticator.counter,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice',
      backedUp: false,
      attachment: 'cross-platform',
      name: 'Security key',
      now: NOW,
      ...kind,
    });
  }
  async function challengeFor(userId: string | null, interactionUid = INTERACTION) {
    const options = await issueAuthenticationOptions(
      context,
      userId === null
        ? { interactionUid, ceremony: 'sign-in', now: NOW }
        : { interactionUid, ceremony: 'authentication', userId, now: NOW },
    );
    return options.challenge;
  }
  return { store, context, alice, bob, register, challengeFor };
}

function rejectsWith(code: WebAuthnErrorCode) {
  return { name: 'WebAuthnError', code };
}

describe('methodForAssertion: amr by credential and user verification', () => {
  test('security keys are hwk, with user when verified; passkeys need user verification', () => {
    const key = { deviceType: 'singleDevice', attachment: 'cross-platform' } as const;
    const platform = { deviceType: 'singleDevice', attachment: 'platform' } as const;
    const synced = { deviceType: 'multiDevice', attachment: null } as const;
    assert.equal(methodForAssertion(key, false), 'security-key');
    assert.equal(methodForAssertion(key, true), 'security-key-verified');
    assert.equal(methodForAssertion({ ...key, attachment: null }, false), 'security-key');
    assert.equal(methodForAssertion(platform, true), 'passkey');
    assert.equal(methodForAssertion(synced, true), 'passkey');
    assert.equal(methodForAssertion(platform, false), undefined);
    assert.equal(methodForAssertion(synced, false), undefined);
  });
});

describe('relyingPartyFor', () => {
  test('the RP ID is the issuer hostname, the origin its scheme, host and port', () => {
    assert.deepEqual(relyingPartyFor('https://id.example.com:8443/tenant'), {
      id: 'id.example.com',
      origin: 'https://id.example.com:8443',
      name: 'Stepup',
    });
  });
});

describe('issuing options', () => {
  test('a second factor allows the user’s credentials; a sign-in any passkey, with user verification', async (t) => {
    const { context, alice, register, store } = await setUp(t);
    const key = new SoftwareAuthenticator();
    await register(alice.id, key);
    const second = await issueAuthenticationOptions(context, {
      interactionUid: INTERACTION,
      ceremony: 'authentication',
      userId: alice.id,
      now: NOW,
    });
    assert.equal(second.rpId, RP_ID);
    assert.equal(second.userVerification, 'preferred');
    assert.deepEqual(second.allowCredentials, [
      { id: key.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
    assert.match(second.challenge, /^[A-Za-z0-9_-]{43}$/);
    const signIn = await issueAuthenticationOptions(context, {
      interactionUid: INTERACTION,
      ceremony: 'sign-in',
      now: NOW,
    });
    assert.equal(signIn.userVerification, 'required');
    assert.deepEqual(signIn.allowCredentials, []);
    assert.deepEqual(await store.webauthnChallenges.consume(INTERACTION, 'sign-in', NOW), {
      interactionUid: INTERACTION,
      ceremony: 'sign-in',
      challenge: signIn.challenge,
      userId: null,
      expiresAt: NOW + WEBAUTHN_CHALLENGE_TTL_SECONDS,
    });
  });

  test('registration excludes the credentials the user has, and names the user by an opaque handle', async (t) => {
    const { context, alice, register } = await setUp(t);
    const key = new SoftwareAuthenticator();
    await register(alice.id, key);
    const options = await issueRegistrationOptions(context, {
      interactionUid: INTERACTION,
      user: { id: alice.id, username: 'alice', name: null },
      now: NOW,
    });
    assert.deepEqual(options.rp, { name: 'Stepup', id: RP_ID });
    assert.equal(options.user.id, Buffer.from(userHandleOf(alice.id)).toString('base64url'));
    assert.equal(options.user.name, 'alice');
    assert.equal(options.attestation, 'none');
    assert.deepEqual(options.excludeCredentials, [
      { id: key.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
    assert.deepEqual(options.authenticatorSelection, {
      residentKey: 'preferred',
      userVerification: 'preferred',
      requireResidentKey: false,
    });
  });
});

describe('verifyAuthentication', () => {
  test('accepts the user’s key, records the counter and says what was proven', async (t) => {
    const { context, alice, register, challengeFor, store } = await setUp(t);
    const key = new SoftwareAuthenticator({ counter: 5 });
    await register(alice.id, key);
    const base = { interactionUid: INTERACTION, ceremony: 'authentication', userId: alice.id } as const;
    const response = key.assert({ challenge: await challengeFor(alice.id), origin: ORIGIN, rpId: RP_ID });
    const verified = await verifyAuthentication(context, {
      ...base,
      response: JSON.stringify(response),
      now: NOW + 1,
    });
    assert.deepEqual([verified.method, verified.userVerified, verified.counter], ['security-key', false, 6]);
    const stored = await store.webauthnCredentials.findById(key.credentialId);
    assert.deepEqual([stored?.counter, stored?.lastUsedAt], [6, NOW + 1]);

    const withPin = key.assert({
      challenge: await challengeFor(alice.id),
      origin: ORIGIN,
      rpId: RP_ID,
      userVerified: true,
    });
    const verifiedWithPin = await verifyAuthentication(context, {
      ...base,
      response: JSON.stringify(withPin),
      now: NOW + 2,
    });
    assert.equal(verifiedWithPin.method, 'security-key-verified');
  });

  test('refuses another origin, another RP ID, another challenge, a bad signature — and records nothing', async (t) => {
    const { context, alice, register, challengeFor, store } = await setUp(t);
    const key = new SoftwareAuthenticator({ counter: 5 });
    const credential = await register(alice.id, key);
    const attempt = async (input: Partial<Parameters<SoftwareAuthenticator['assert']>[0]>) => {
      const challenge = await challengeFor(alice.id);
      const response = key.assert({ challenge, origin: ORIGIN, rpId: RP_ID, ...input });
      return verifyAuthentication(context, {
        interactionUid: INTERACTION,
        ceremony: 'authentication',
        userId: alice.id,
        response: JSON.stringify(response),
        now: NOW,
      });
    };
    await assert.rejects(attempt({ origin: 'https://1ocalhost.example' }), rejectsWith('origin_mismatch'));
    await assert.rejects(attempt({ origin: 'http://localhost:3001' }), rejectsWith('origin_mismatch'));
    await assert.rejects(attempt({ rpId: 'example.com' }), rejectsWith('rp_id_mismatch'));
    await assert.rejects(attempt({ challenge: 'c3RhbGUtY2hhbGxlbmdl' }), rejectsWith('challenge_mismatch'));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await assert.rejects(attempt({ signWith: other }), rejectsWith('verification_failed'));
    assert.deepEqual(await store.webauthnCredentials.findById(credential.id), credential);
  });

  test('a challenge is single use, short-lived and bound to its interaction and ceremony', async (t) => {
    const { context, alice, register, challengeFor } = await setUp(t);
    const key = new SoftwareAuthenticator();
    await register(alice.id, key);
    const verify = (response: unknown, now: number, interactionUid = INTERACTION) =>
      verifyAuthentication(context, {
        interactionUid,
        ceremony: 'authentication',
        userId: alice.id,
        response: JSON.stringify(response),
        now,
      });

    const late = key.assert({ challenge: await challengeFor(alice.id), origin: ORIGIN, rpId: RP_ID });
    await assert.rejects(
      verify(late, NOW + WEBAUTHN_CHALLENGE_TTL_SECONDS),
      rejectsWith('challenge_not_found'),
    );

    const elsewhere = key.assert({ challenge: await challengeFor(alice.id), origin: ORIGIN, rpId: RP_ID });
    await assert.rejects(verify(elsewhere, NOW, 'interaction-2'), rejectsWith('challenge_not_found'));
    const signInChallenge = await challengeFor(null);
    await assert.rejects(
      verify(key.assert({ challenge: signInChallenge, origin: ORIGIN, rpId: RP_ID }), NOW),
      rejectsWith('challenge_mismatch'),
    );

    const once = key.assert({ challenge: await challengeFor(alice.id), origin: ORIGIN, rpId: RP_ID });
    await verify(once, NOW);
    await assert.rejects(verify(once, NOW), rejectsWith('challenge_not_found'));

    const afterFailure = key.assert({ challenge: await challengeFor(alice.id), origin: ORIGIN, rpId: RP_ID });
    await assert.rejects(
      verifyAuthentication(context, {
        interactionUid: INTERACTION,
        ceremony: 'authentication',
        userId: alice.id,
        response: 'not json',
        now: NOW,
      }),
      rejectsWith('malformed_response'),
    );
    await assert.rejects(verify(afterFailure, NOW), rejectsWith('challenge_not_found'));
  });

  test('a signature counter at or below the stored one is refused; a key that never counts is not', async (t) => {
    const { context, alice, register, challengeFor, store } = await setUp(t);
    const key = new SoftwareAuthenticator({ counter: 5 });
    const credential = await register(alice.id, key);
    const verifyWith = async (authenticator: SoftwareAuthenticator, counter: number) =>
      verifyAuthentication(context, {
        interactionUid: INTERACTION,
        ceremony: 'authentication',
        userId: alice.id,
        response: JSON.stringify(
          authenticator.assert({
            challenge: await challengeFor(alice.id),
            origin: ORIGIN,
            rpId: RP_ID,
            counter,
          }),
        ),
        now: NOW,
      });
    await assert.rejects(verifyWith(key, 5), rejectsWith('counter_regression'));
    await assert.rejects(verifyWith(key, 4), rejectsWith('counter_regression'));
    await assert.rejects(verifyWith(key, 0), rejectsWith('counter_regression'));
    assert.deepEqual(await store.webauthnCredentials.findById(credential.id), credential);
    assert.equal((await verifyWith(key, 6)).counter, 6);

    const uncounted = new SoftwareAuthenticator({ counter: 0 });
    await register(alice.id, uncounted);
    assert.equal((await verifyWith(uncounted, 0)).counter, 0);
    assert.equal((await verifyWith(uncounted, 0)).counter, 0);
  });

  test("refuses a credential that is not the user's, and a passkey without user verification", async (t) => {
    const { context, alice, bob, register, challengeFor } = await setUp(t);
    const bobsKey = new SoftwareAuthenticator();
    await register(bob.id, bobsKey);
    const passkey = new SoftwareAuthenticator();
    await register(alice.id, passkey, { attachment: 'platform', name: 'Passkey' });
    const verify = async (authenticator: SoftwareAuthenticator, userVerified: boolean) =>
      verifyAuthentication(context, {
        interactionUid: INTERACTION,
        ceremony: 'authentication',
        userId: alice.id,
        response: JSON.stringify(
          authenticator.assert({
            challenge: await challengeFor(alice.id),
            origin: ORIGIN,
            rpId: RP_ID,
            userVerified,
          }),
        ),
        now: NOW,
      });
    await assert.rejects(verify(bobsKey, true), rejectsWith('unknown_credential'));
    await assert.rejects(verify(new SoftwareAuthenticator(), true), rejectsWith('unknown_credential'));
    await assert.rejects(verify(passkey, false), rejectsWith('user_verification_required'));
    assert.equal((await verify(passkey, true)).method, 'passkey');
  });

  test('passkey sign-in: the user handle must name the owner, and user verification is required', async (t) => {
    const { context, alice, register, challengeFor } = await setUp(t);
    const passkey = new SoftwareAuthenticator();
    await register(alice.id, passkey, { deviceType: 'multiDevice', backedUp: true, attachment: null });
    const handle = Buffer.from(userHandleOf(alice.id)).toString('base64url');
    const signIn = async (input: { userHandle?: string; userVerified: boolean }) =>
      verifyAuthentication(context, {
        interactionUid: INTERACTION,
        ceremony: 'sign-in',
        response: JSON.stringify(
          passkey.assert({ challenge: await challengeFor(null), origin: ORIGIN, rpId: RP_ID, ...input }),
        ),
        now: NOW,
      });
    await assert.rejects(
      signIn({ userHandle: Buffer.from('someone-else').toString('base64url'), userVerified: true }),
      rejectsWith('user_handle_mismatch'),
    );
    await assert.rejects(signIn({ userVerified: true }), rejectsWith('user_handle_mismatch'));
    await assert.rejects(
      signIn({ userHandle: handle, userVerified: false }),
      rejectsWith('user_verification_required'),
    );
    const verified = await signIn({ userHandle: handle, userVerified: true });
    assert.deepEqual([verified.credential.userId, verified.method], [alice.id, 'passkey']);
  });
});

describe('verifyRegistration', () => {
  async function registrationChallenge(context: WebAuthnContext, user: { id: string; username: string }) {
    const options = await issueRegistrationOptions(context, {
      interactionUid: INTERACTION,
      user: { ...user, name: null },
      now: NOW,
    });
    return options.challenge;
  }

  test('stores a security key and says what registering it proved', async (t) => {
    const { context, alice, store } = await setUp(t);
    const key = new SoftwareAuthenticator();
    const response = key.register({
      challenge: await registrationChallenge(context, alice),
      origin: ORIGIN,
      rpId: RP_ID,
      attachment: 'cross-platform',
    });
    const { credential, method } = await verifyRegistration(context, {
      interactionUid: INTERACTION,
      userId: alice.id,
      response: JSON.stringify(response),
      now: NOW,
    });
    assert.equal(method, 'security-key');
    assert.deepEqual(credential, {
      id: key.credentialId,
      userId: alice.id,
      publicKey: key.publicKey,
      counter: 0,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice',
      backedUp: false,
      attachment: 'cross-platform',
      name: 'Security key',
      createdAt: NOW,
      lastUsedAt: null,
    });
    assert.deepEqual(await store.webauthnCredentials.listForUser(alice.id), [credential]);
  });

  test('refuses another origin or RP ID, a platform passkey without user verification, a known credential', async (t) => {
    const { context, alice, bob, store } = await setUp(t);
    const key = new SoftwareAuthenticator();
    const attempt = async (
      user: { id: string; username: string },
      input: Partial<Parameters<SoftwareAuthenticator['register']>[0]>,
    ) =>
      verifyRegistration(context, {
        interactionUid: INTERACTION,
        userId: user.id,
        response: JSON.stringify(
          key.register({
            challenge: await registrationChallenge(context, user),
            origin: ORIGIN,
            rpId: RP_ID,
            ...input,
          }),
        ),
        now: NOW,
      });
    await assert.rejects(attempt(alice, { origin: 'http://localhost:3001' }), rejectsWith('origin_mismatch'));
    await assert.rejects(attempt(alice, { rpId: 'example.com' }), rejectsWith('rp_id_mismatch'));
    await assert.rejects(
      attempt(alice, { attachment: 'platform' }),
      rejectsWith('user_verification_required'),
    );
    assert.deepEqual(await store.webauthnCredentials.listForUser(alice.id), []);
    await attempt(alice, { attachment: 'platform', userVerified: true });
    await assert.rejects(attempt(bob, { userVerified: true }), rejectsWith('credential_already_registered'));
    assert.deepEqual(await store.webauthnCredentials.listForUser(bob.id), []);
  });
});
