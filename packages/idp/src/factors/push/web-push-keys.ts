import webPush from 'web-push';
import type { KeysRepository } from '../../store/keys.ts';

/** The provider's VAPID key pair (RFC 8292): P-256, base64url as `web-push` takes them. */
export interface VapidKeys {
  /** The uncompressed public point: the `applicationServerKey` devices subscribe with. */
  publicKey: string;
  privateKey: string;
}

/**
 * Loads the VAPID keys, generating them on first use, like the provider's other keys: kept in the
 * store so every node signs with the same pair and subscriptions survive restarts (a new key would
 * make every subscription made with the old one fail).
 */
export async function loadVapidKeys(keys: KeysRepository): Promise<VapidKeys & { created: boolean }> {
  let created = false;
  const stored = await keys.getOrCreate('web-push-vapid-keys', () => {
    created = true;
    const { publicKey, privateKey } = webPush.generateVAPIDKeys();
    return JSON.stringify({ publicKey, privateKey });
  });
  const { publicKey, privateKey } = JSON.parse(stored) as VapidKeys;
  return { publicKey, privateKey, created };
}
