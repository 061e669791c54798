import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AddWebAuthnCredentialInput } from '../store/webauthn-credentials.ts';

/** Authenticator data flags (WebAuthn Level 3 6.1). */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface CeremonyInput {
  challenge: string;
  origin: string;
  rpId: string;
  userVerified?: boolean;
}

/**
 * A WebAuthn authenticator in a few lines of node:crypto: one ES256 credential, answers as
 * @simplewebauthn/browser would hand them to the server. For unit tests that need responses a real
 * browser refuses to make (another RP ID, a chosen counter, a bad signature); the browser tests use
 * Chromium's virtual authenticator instead.
 */
export class SoftwareAuthenticator {
  readonly credentialId: string;
  /** The COSE_Key (RFC 9053 7.1, EC2 P-256) the server stores. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly #privateKey: KeyObject;
  counter: number;

  constructor(options: { counter?: number } = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    this.#privateKey = privateKey;
    this.credentialId = randomBytes(16).toString('base64url');
    this.publicKey = new Uint8Array(
      isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x ?? '', 'base64url')],
          [-3, Buffer.from(jwk.y ?? '', 'base64url')],
        ]),
      ),
    );
    this.counter = options.counter ?? 0;
  }

  /** The credential as the store keeps a security key registered to `userId` (no ceremony needed). */
  securityKeyRecord(userId: string, now: number): AddWebAuthnCredentialInput {
    return {
      id: this.credentialId,
      userId,
      publicKey: this.publicKey,
      counter: this.counter,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice',
      backedUp: false,
      attachment: 'cross-platform',
      name: 'Security key',
      now,
    };
  }

  /**
   * The credential for Chromium's virtual authenticator (CDP `WebAuthn.addCredential`), so a browser
   * test can use a key the store already holds: the same id and private key (PKCS#8), base64.
   */
  virtualCredential(rpId: string) {
    return {
      credentialId: Buffer.from(this.credentialId, 'base64url').toString('base64'),
      isResidentCredential: false,
      rpId,
      privateKey: this.#privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      signCount: this.counter,
    };
  }

  /** A `none` attestation for the credential, with its current counter. */
  register(input: CeremonyInput & { attachment?: 'platform' | 'cross-platform' }): RegistrationResponseJSON {
    const id = Buffer.from(this.credentialId, 'base64url');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      this.#authenticatorData(input, AT),
      Buffer.alloc(16), // AAGUID: zeros, as with attestation "none"
      length,
      id,
      this.publicKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as Parameters<typeof isoCBOR.encode>[0],
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      ...(input.attachment ? { authenticatorAttachment: input.attachment } : {}),
      response: {
        clientDataJSON: clientData('webauthn.create', input),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['usb'],
      },
    };
  }

  /** An assertion; the counter goes up by one first, as authenticators do, unless `counter` is given. */
  assert(
    input: CeremonyInput & { userHandle?: string; counter?: number; signWith?: KeyObject },
  ): AuthenticationResponseJSON {
    this.counter = input.counter ?? this.counter + 1;
    const authenticatorData = this.#authenticatorData(input, 0);
    const clientDataJSON = clientData('webauthn.get', input);
    const signed = Buffer.concat([
      authenticatorData,
      createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest(),
    ]);
    const signature = sign('sha256', signed, { key: input.signWith ?? this.#privateKey, dsaEncoding: 'der' });
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(input.userHandle === undefined ? {} : { userHandle: input.userHandle }),
      },
    };
  }

  #authenticatorData(input: CeremonyInput, extraFlags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const flags = UP | (input.userVerified ? UV : 0) | extraFlags;
    return Buffer.concat([createHash('sha256').update(input.rpId).digest(), Buffer.from([flags]), counter]);
  }
}

function clientData(type: string, input: CeremonyInput): string {
  const json = JSON.stringify({ type, challenge: input.challenge, origin: input.origin, crossOrigin: false });
  return Buffer.from(json).toString('base64url');
}
