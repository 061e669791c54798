import type { Logger } from 'pino';
import type { ClientsRepository } from '../store/clients.ts';
import { checkClientSecretStrength } from './client-secret-strength.ts';
import { hasPlainClientSecret, protectClientSecret, type SecretSealer } from './stored-client-secret.ts';

/**
 * Start-up step: registrations a release before hashed secrets wrote keep their secret (and a
 * rotation's previous one) in plain; each is rewritten in place, hashed or sealed as the client needs
 * it. It runs where the secret box is (the store's migrations never see that key), before the
 * provider serves, and finds nothing to do on every later start. Secrets too weak for today's rule
 * keep working, but the operator is told to rotate them: a digest of a short secret can be guessed
 * offline. Returns the ids of the clients it rewrote.
 */
export async function protectLegacyClientSecrets(
  clients: ClientsRepository,
  box: SecretSealer,
  logger: Logger,
): Promise<string[]> {
  const rewritten: string[] = [];
  for (const metadata of await clients.list()) {
    if (!hasPlainClientSecret(metadata)) continue;
    const plain = metadata.client_secret;
    await clients.upsert(protectClientSecret(metadata, box), { builtIn: true });
    rewritten.push(metadata.client_id);
    if (typeof plain === 'string' && !isStrong(plain)) {
      logger.warn(
        { clientId: metadata.client_id },
        'this client secret is weaker than 256 random bits: rotate it (POST /api/v1/clients/{id}/secret or the dashboard)',
      );
    }
  }
  if (rewritten.length > 0)
    logger.info({ clients: rewritten }, 'client secrets kept in plain are now stored hashed or sealed');
  return rewritten;
}

function isStrong(secret: string): boolean {
  try {
    checkClientSecretStrength(secret);
    return true;
  } catch {
    return false;
  }
}
