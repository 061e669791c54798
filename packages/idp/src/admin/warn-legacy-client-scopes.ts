import type { Logger } from 'pino';
import type { ClientsRepository } from '../store/clients.ts';
import { legacyClientScopes } from './client-api-scopes.ts';
import { MANAGEMENT_API_PATH } from './management-api-identity.ts';

/**
 * At start, one warning per client whose `stepup_allowed_scopes` is still the flat list of before
 * per-API grants: such a client gets no API scopes until an operator grants them again, and would
 * otherwise only learn it from refused token requests. The entry names the client, its old list and
 * the call that fixes it (`code: 'legacy_client_scopes'` for log searches).
 */
export async function warnLegacyClientScopes(
  clients: Pick<ClientsRepository, 'list'>,
  logger: Logger,
): Promise<void> {
  for (const metadata of await clients.list()) {
    const legacy = legacyClientScopes(metadata);
    if (!legacy) continue;
    const fix = `PUT ${MANAGEMENT_API_PATH}/clients/${metadata.client_id}/scopes`;
    logger.warn(
      { code: 'legacy_client_scopes', client_id: metadata.client_id, legacy_scopes: legacy, fix },
      `client "${metadata.client_id}" has a flat scope list from before per-API grants and is granted no API scopes; ` +
        `grant them per API with ${fix} (body { "resource": "<API identifier>", "scopes": [...] }) ` +
        `or stepup-idp client add --api <API identifier> --scopes <scopes>`,
    );
  }
}
