import { readFileSync } from 'node:fs';
import { UsageError } from '../cli-command.ts';

/** Members only a private or symmetric JWK has (RFC 7518 6.2.2, 6.3.2, 6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Reads `--jwks <file>`: a JSON Web Key Set of the client's public keys, for private_key_jwt and
 * signed request objects. Throws `UsageError` for a file that cannot be read, is not a key set of 1
 * to 10 RSA, EC or OKP keys, or holds a private member: the private key stays with the client.
 */
export function readClientJwksOption(path: string): { keys: Record<string, unknown>[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--jwks: cannot read "${path}" as JSON (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) {
    throw new UsageError('--jwks: the file must be a JSON Web Key Set, {"keys": [...]}, with 1 to 10 keys');
  }
  for (const [index, key] of keys.entries()) {
    const jwk = key as Record<string, unknown> | null;
    if (typeof jwk !== 'object' || jwk === null || !['RSA', 'EC', 'OKP'].includes(String(jwk.kty))) {
      throw new UsageError(`--jwks: key ${index} is not an RSA, EC or OKP JSON Web Key`);
    }
    if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
      throw new UsageError(`--jwks: key ${index} has private members; give the public keys only`);
    }
  }
  return { keys: keys as Record<string, unknown>[] };
}
