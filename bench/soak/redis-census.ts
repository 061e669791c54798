import { Redis } from 'ioredis';

/** The keys of one kind under a prefix: how many, how many never expire, and members of sorted sets. */
export interface KeyKind {
  keys: number;
  withoutTtl: number;
  /** Members of the kind's sorted sets (the expiry indexes a sweep trims). */
  members: number;
}

/**
 * Counts the keys under `prefix` by kind — the first part of the name after the prefix (`attempt`,
 * `interaction-state`, …; `oidc:<Model>` for oidc-provider's models) — so two censuses show what
 * grows. Short-lived state must expire: a kind with keys that have no TTL and keeps growing is a leak
 * in Redis's memory, which no node's RSS shows.
 */
export async function censusOfKeys(url: string, prefix: string): Promise<Map<string, KeyKind>> {
  const redis = new Redis(url, { connectTimeout: 3000, maxRetriesPerRequest: 3 });
  const kinds = new Map<string, KeyKind>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.type(key).pttl(key);
      const answers = (await pipeline.exec()) ?? [];
      const sizes = redis.pipeline();
      const sortedSets: string[] = [];
      keys.forEach((key, i) => {
        const type = answers[2 * i]?.[1];
        const ttl = answers[2 * i + 1]?.[1];
        const kind = kindOf(key.slice(prefix.length));
        const entry = kinds.get(kind) ?? { keys: 0, withoutTtl: 0, members: 0 };
        entry.keys += 1;
        if (ttl === -1) entry.withoutTtl += 1;
        kinds.set(kind, entry);
        if (type === 'zset') {
          sortedSets.push(kind);
          sizes.zcard(key);
        }
      });
      const cardinalities = sortedSets.length > 0 ? ((await sizes.exec()) ?? []) : [];
      sortedSets.forEach((kind, i) => {
        const entry = kinds.get(kind);
        if (entry) entry.members += Number(cardinalities[i]?.[1] ?? 0);
      });
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return kinds;
}

function kindOf(name: string): string {
  const [first = '', second = ''] = name.split(':');
  return first === 'oidc' ? `oidc:${second}` : first;
}
