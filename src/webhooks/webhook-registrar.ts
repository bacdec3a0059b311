import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { RelayError } from '../errors.ts';
import type { RegistrationStore, WebhookRegistration } from './registration-store.ts';
import { webhookEventNames } from './webhook-site.ts';

const webhookEvents = webhookEventNames;

interface RegisteredWebhook {
  readonly id: number;
  readonly events: readonly string[];
  readonly jqlFilter: string;
  readonly url: string;
  readonly expirationDate: number | string;
}

export type ReconcileOutcome =
  | { readonly kind: 'unchanged' | 'registered' | 'refreshed'; readonly registration: WebhookRegistration }
  | { readonly kind: 'skipped'; readonly reason: string };

export interface WebhookRegistrarDeps {
  readonly connections: ConnectionStore;
  readonly registrations: RegistrationStore;
  readonly clientFor: (connection: Connection) => JiraClient;
  /** `${PUBLIC_URL}/webhooks/jira`: an OAuth app may register one URL only. */
  readonly callbackUrl: string;
  /** Registrations expiring sooner than this are refreshed. */
  readonly refreshBeforeMs: number;
  readonly now?: () => number;
}

/**
 * Keeps one dynamic webhook per connection for the six issue and comment events, filtered to the
 * connection's projects. Idempotent: it lists what Jira has first, so restarts and repeats never
 * create duplicates, and it re-registers when the project list changed.
 */
export class WebhookRegistrar {
  readonly #d: WebhookRegistrarDeps;
  readonly #now: () => number;

  constructor(deps: WebhookRegistrarDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async reconcile(connectionId: string): Promise<ReconcileOutcome> {
    const connection = await this.#d.connections.get(connectionId);
    if (connection?.status !== 'active') return { kind: 'skipped', reason: 'connection not active' };
    const client = this.#d.clientFor(connection);
    const projectKeys = connection.projectKeys ?? (await listProjectKeys(client));
    if (projectKeys.length === 0) return { kind: 'skipped', reason: 'no projects visible' };
    const jqlFilter = projectFilter(projectKeys);

    const ours = (await listWebhooks(client)).filter((w) => w.url === this.#d.callbackUrl);
    const current = ours.find(
      (w) => w.jqlFilter === jqlFilter && webhookEvents.every((e) => w.events.includes(e)),
    );
    const stale = ours.filter((w) => w !== current);
    if (stale.length > 0)
      await deleteWebhooks(
        client,
        stale.map((w) => w.id),
      );
    if (current) return this.#keepFresh(client, connectionId, current);

    await registerWebhook(client, this.#d.callbackUrl, jqlFilter);
    const created = (await listWebhooks(client)).find(
      (w) => w.url === this.#d.callbackUrl && w.jqlFilter === jqlFilter,
    );
    if (!created)
      throw new RelayError('JIRA_HTTP', 'registered webhook missing from the list', { retryable: true });
    return { kind: 'registered', registration: await this.#save(connectionId, created, this.#now()) };
  }

  /** Deletes this connection's webhooks at Jira (on disconnect) and forgets them. */
  async unregister(connection: Connection): Promise<void> {
    const registration = await this.#d.registrations.get(connection.id);
    if (registration && registration.webhookIds.length > 0) {
      await deleteWebhooks(this.#d.clientFor(connection), registration.webhookIds);
    }
    await this.#d.registrations.remove(connection.id);
  }

  async #keepFresh(
    client: JiraClient,
    connectionId: string,
    webhook: RegisteredWebhook,
  ): Promise<ReconcileOutcome> {
    const previous = await this.#d.registrations.get(connectionId);
    const registeredAt = previous?.registeredAt ?? this.#now();
    if (epochMs(webhook.expirationDate) - this.#now() > this.#d.refreshBeforeMs) {
      return { kind: 'unchanged', registration: await this.#save(connectionId, webhook, registeredAt) };
    }
    const { expirationDate } = await client.request<{ expirationDate: number | string }>({
      method: 'PUT',
      path: 'webhook/refresh',
      json: { webhookIds: [webhook.id] },
      idempotent: true,
      routeClass: 'webhook',
    });
    const refreshed = { ...webhook, expirationDate };
    return { kind: 'refreshed', registration: await this.#save(connectionId, refreshed, registeredAt) };
  }

  async #save(
    connectionId: string,
    webhook: RegisteredWebhook,
    registeredAt: number,
  ): Promise<WebhookRegistration> {
    const registration: WebhookRegistration = {
      connectionId,
      webhookIds: [webhook.id],
      jqlFilter: webhook.jqlFilter,
      expiresAt: epochMs(webhook.expirationDate),
      registeredAt,
      refreshedAt: this.#now(),
    };
    await this.#d.registrations.save(registration);
    return registration;
  }
}

/** The filter subset cannot say "all projects": list them. Keys are quoted for reserved words. */
export function projectFilter(projectKeys: readonly string[]): string {
  return `project in (${[...projectKeys].sort().map(jqlString).join(', ')})`;
}

/**
 * A JQL string literal of exactly `value`: backslash and double quote escaped with a backslash. An
 * unescaped backslash at a key's end would escape the closing quote and let the next key's text
 * be read as JQL; dropping quotes would name another project.
 */
function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

async function listProjectKeys(client: JiraClient): Promise<string[]> {
  const keys: string[] = [];
  for (let startAt = 0; ; ) {
    const page = await client.request<{ values: { key: string }[]; isLast?: boolean; total?: number }>({
      method: 'GET',
      path: 'project/search',
      searchParams: { startAt, maxResults: 100 },
      idempotent: true,
      routeClass: 'project',
    });
    keys.push(...page.values.map((p) => p.key));
    startAt += page.values.length;
    if (page.isLast !== false || page.values.length === 0) return keys;
  }
}

async function listWebhooks(client: JiraClient): Promise<RegisteredWebhook[]> {
  const all: RegisteredWebhook[] = [];
  for (let startAt = 0; ; ) {
    const page = await client.request<{ values: RegisteredWebhook[]; isLast?: boolean }>({
      method: 'GET',
      path: 'webhook',
      searchParams: { startAt, maxResults: 100 },
      idempotent: true,
      routeClass: 'webhook',
    });
    all.push(...page.values);
    startAt += page.values.length;
    if (page.isLast !== false || page.values.length === 0) return all;
  }
}

async function registerWebhook(client: JiraClient, url: string, jqlFilter: string): Promise<void> {
  const result = await client.request<{
    webhookRegistrationResult: { createdWebhookId?: number; errors?: string[] }[];
  }>({
    method: 'POST',
    path: 'webhook',
    json: { url, webhooks: [{ events: webhookEvents, jqlFilter }] },
    routeClass: 'webhook',
  });
  // Jira answers 200 with the errors inside (e.g. an unsupported JQL clause, or the limit of 5).
  const errors = result.webhookRegistrationResult.flatMap((r) => r.errors ?? []);
  if (errors.length > 0)
    throw new RelayError('JIRA_HTTP', `webhook registration refused: ${errors.join('; ')}`);
}

async function deleteWebhooks(client: JiraClient, webhookIds: readonly number[]): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: 'webhook',
    json: { webhookIds },
    idempotent: true,
    routeClass: 'webhook',
  });
}

/** Jira's schema says int64 epoch ms, its example shows an ISO string: read both. */
function epochMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}
