import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedClientMetadata } from './loaded-client-metadata.ts';

test('a loaded client’s registration is built once per client and cannot be changed', () => {
  let built = 0;
  const clientOf = (registration: Record<string, unknown>) => ({
    metadata: () => {
      built += 1;
      return { ...registration };
    },
  });
  const client = clientOf({ client_id: 'app', client_profile: 'fapi2' });
  const other = clientOf({ client_id: 'other' });
  const first = loadedClientMetadata(client);
  assert.equal(loadedClientMetadata(client), first);
  assert.deepEqual(first, { client_id: 'app', client_profile: 'fapi2' });
  assert.deepEqual(loadedClientMetadata(other), { client_id: 'other' });
  assert.equal(built, 2);
  assert.throws(() => Object.assign(first, { client_profile: 'standard' }), TypeError);
});
