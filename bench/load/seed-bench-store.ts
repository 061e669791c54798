/**
 * Creates the load bench's account and client in a fresh store, the way the CLI does, with the code
 * of the checkout at STEPUP_TREE (default: this one), so each checkout under comparison writes its
 * own schema. Prints the account's id. Run by bench/load/load-measurement.ts with the storage
 * variables of the provider (STEPUP_DATA_DIR or STEPUP_DATABASE_URL) and BENCH_CLIENT (JSON).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tree = process.env.STEPUP_TREE ?? fileURLToPath(new URL('../..', import.meta.url));
const source = (path: string) => import(join(tree, 'packages/idp/src', path));
const { hashPassword } = await source('accounts/password-hashing.ts');
const { loadConfig } = await source('config/load-config.ts');
const { openStore } = await source('store/open-store.ts');
const { TEST_REDIRECT_URI } = await source('testing/test-provider.ts');

const { client, account } = JSON.parse(process.env.BENCH_SEED ?? '') as {
  client: { clientId: string; secret: string };
  account: { username: string; password: string };
};
const config = loadConfig(process.env);
const store = await openStore(config);
/** Since client secrets rest hashed or sealed (absent from checkouts before that change). */
const storedClientSecret = await source('client-secrets/stored-client-secret.ts').catch(() => undefined);
try {
  const user = await store.users.create({
    username: account.username,
    passwordHash: await hashPassword(account.password),
    now: Math.floor(Date.now() / 1000),
  });
  const registration = {
    client_id: client.clientId,
    client_secret: client.secret,
    redirect_uris: [TEST_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
  if (storedClientSecret) {
    const { loadSecretKeyring } = await source('crypto/load-secret-keyring.ts');
    const { loadProviderKeys } = await source('oidc/provider-keys.ts');
    const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
    await store.clients.upsert(storedClientSecret.protectClientSecret(registration, secretBox));
  } else {
    await store.clients.upsert(registration);
  }
  process.stdout.write(user.id);
} finally {
  await store.close();
}
