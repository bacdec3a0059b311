import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../state/redis-client.ts';
import type { TokenCipher } from '../tokens/token-cipher.ts';

/** What operators may see of a connection's webhook secret: never the secret itself. */
export interface WebhookSecretInfo {
  readonly configured: boolean;
  /** Epoch ms of the last creation or rotation; null when none is configured. */
  readonly rotatedAt: number | null;
  /** Until when (epoch ms) the previous secret is still accepted; null when it is not. */
  readonly previousValidUntil: number | null;
}

// KEYS[1]; ARGV: new sealed secret, now ms, previous valid until ms. The current secret becomes the
// previous one, so deliveries Jira signs with it during the change-over still pass.
const rotateScript = `
local current = redis.call('HGET', KEYS[1], 'cur')
if current then
  redis.call('HSET', KEYS[1], 'prev', current, 'prevUntil', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'prev', 'prevUntil')
end
redis.call('HSET', KEYS[1], 'cur', ARGV[1], 'curAt', ARGV[2])
return 1
`;

interface Commands {
  webhookSecretRotate(key: string, sealed: string, now: string, until: string): Promise<number>;
}

/**
 * Each connection's own HMAC secret for admin webhooks (`POST /webhooks/jira/{connectionId}`),
 * sealed at rest like grants. A rotation hands out the new secret once and keeps the previous one
 * valid for a grace period, so the operator can update Jira's webhook without losing deliveries.
 */
export class RedisWebhookSecretStore {
  readonly #redis: RedisClient & Commands;
  readonly #prefix: string;
  readonly #cipher: TokenCipher;
  readonly #now: () => number;

  constructor(opts: { redis: RedisClient; keyPrefix: string; cipher: TokenCipher; now?: () => number }) {
    opts.redis.defineCommand('webhookSecretRotate', { numberOfKeys: 1, lua: rotateScript });
    this.#redis = opts.redis as RedisClient & Commands;
    this.#prefix = opts.keyPrefix;
    this.#cipher = opts.cipher;
    this.#now = opts.now ?? Date.now;
  }

  /** A new secret for the connection, returned once; the previous one stays valid for `graceMs`. */
  async rotate(connectionId: string, graceMs: number): Promise<{ secret: string; info: WebhookSecretInfo }> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.#now();
    const sealed = this.#cipher.seal(secret, context(connectionId));
    await this.#redis.webhookSecretRotate(
      this.#key(connectionId),
      sealed,
      String(now),
      String(now + graceMs),
    );
    return { secret, info: await this.info(connectionId) };
  }

  /** No secret is accepted for the connection any more, current or previous. */
  async revoke(connectionId: string): Promise<void> {
    await this.#redis.del(this.#key(connectionId));
  }

  /** The secrets a delivery for this connection may be signed with, the current one first. */
  async secretsFor(connectionId: string): Promise<string[]> {
    const [cur, prev, prevUntil] = await this.#redis.hmget(
      this.#key(connectionId),
      'cur',
      'prev',
      'prevUntil',
    );
    const secrets: string[] = [];
    if (cur) secrets.push(this.#cipher.open(cur, context(connectionId)));
    if (prev && Number(prevUntil) > this.#now()) secrets.push(this.#cipher.open(prev, context(connectionId)));
    return secrets;
  }

  async info(connectionId: string): Promise<WebhookSecretInfo> {
    const [cur, curAt, prev, prevUntil] = await this.#redis.hmget(
      this.#key(connectionId),
      'cur',
      'curAt',
      'prev',
      'prevUntil',
    );
    const until = prev ? Number(prevUntil) : 0;
    return {
      configured: Boolean(cur),
      rotatedAt: cur ? Number(curAt) : null,
      previousValidUntil: until > this.#now() ? until : null,
    };
  }

  #key(connectionId: string): string {
    return `${this.#prefix}:webhook-secret:${connectionId}`;
  }
}

/** Bound into the ciphertext: a sealed secret copied onto another connection does not open. */
function context(connectionId: string): string {
  return `webhook-secret:${connectionId}`;
}

/**
 * The intake's view of the secrets: cached in the process for `ttlMs` (WEBHOOK_ROUTE_CACHE_MS), so
 * steady admin-webhook intake does not read and decrypt per delivery; a rotation or revocation takes
 * effect once the entry expires. Bounded: at most `max` connections are held.
 */
export function cachedSecrets(
  store: Pick<RedisWebhookSecretStore, 'secretsFor'>,
  ttlMs: number,
  now: () => number = Date.now,
  max = 10_000,
): { secretsFor(connectionId: string): Promise<readonly string[]> } {
  const cache = new Map<string, { readonly secrets: readonly string[]; readonly until: number }>();
  return {
    async secretsFor(connectionId) {
      const hit = cache.get(connectionId);
      if (hit && hit.until > now()) return hit.secrets;
      const secrets = await store.secretsFor(connectionId);
      if (cache.size >= max) cache.clear();
      cache.set(connectionId, { secrets, until: now() + ttlMs });
      return secrets;
    },
  };
}
