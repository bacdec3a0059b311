import { familyPrefix, type RedisClient } from '../state/redis-client.ts';

/** The dynamic webhooks registered for one connection, as Jira reported them. */
export interface WebhookRegistration {
  readonly connectionId: string;
  readonly webhookIds: readonly number[];
  /** The `jqlFilter` they were registered with: a change of project list means re-registering. */
  readonly jqlFilter: string;
  /** Epoch ms of the earliest expiry among them (Jira: 30 days after creation or refresh). */
  readonly expiresAt: number;
  readonly registeredAt: number;
  readonly refreshedAt: number;
}

export interface RegistrationStore {
  get(connectionId: string): Promise<WebhookRegistration | null>;
  save(registration: WebhookRegistration): Promise<void>;
  remove(connectionId: string): Promise<void>;
  connectionForWebhookId(webhookId: number): Promise<string | undefined>;
}

/** Registrations as JSON per connection, plus a webhook id -> connection index for routing. */
export class RedisRegistrationStore implements RegistrationStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    // A registration and its webhook ids change in one transaction: one hash tag on a cluster.
    this.#prefix = familyPrefix(redis, prefix, 'webhooks');
  }

  async get(connectionId: string): Promise<WebhookRegistration | null> {
    const raw = await this.#redis.get(this.#key(connectionId));
    return raw ? (JSON.parse(raw) as WebhookRegistration) : null;
  }

  async save(registration: WebhookRegistration): Promise<void> {
    const previous = await this.get(registration.connectionId);
    const multi = this.#redis.multi().set(this.#key(registration.connectionId), JSON.stringify(registration));
    for (const id of previous?.webhookIds ?? []) {
      if (!registration.webhookIds.includes(id)) multi.del(this.#idKey(id));
    }
    for (const id of registration.webhookIds) multi.set(this.#idKey(id), registration.connectionId);
    await multi.exec();
  }

  async remove(connectionId: string): Promise<void> {
    const previous = await this.get(connectionId);
    const multi = this.#redis.multi().del(this.#key(connectionId));
    for (const id of previous?.webhookIds ?? []) multi.del(this.#idKey(id));
    await multi.exec();
  }

  async connectionForWebhookId(webhookId: number): Promise<string | undefined> {
    return (await this.#redis.get(this.#idKey(webhookId))) ?? undefined;
  }

  #key(connectionId: string): string {
    return `${this.#prefix}:webhooks:${connectionId}`;
  }

  #idKey(webhookId: number): string {
    return `${this.#prefix}:webhook-id:${webhookId}`;
  }
}
