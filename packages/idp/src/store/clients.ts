/** An OAuth client registration, as oidc-provider client metadata (snake_case, as on the wire). */
export type ClientMetadata = { client_id: string } & Record<string, unknown>;

export interface ClientsRepository {
  /** Creates or replaces the registration with the same `client_id`. */
  upsert(metadata: ClientMetadata): Promise<void>;
  find(clientId: string): Promise<ClientMetadata | undefined>;
  /** Every registration, ordered by `client_id`. */
  list(): Promise<ClientMetadata[]>;
  /** Resolves true when a registration was removed. */
  remove(clientId: string): Promise<boolean>;
}
