import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SimClock } from '../clock.ts';
import type { FaultState } from '../faults.ts';
import type { ResolvedOptions } from '../options.ts';
import type { SimEvent } from '../state/events.ts';
import type { World } from '../state/world.ts';
import type { SimStats } from '../stats.ts';
import { buildPayload } from './payload.ts';
import type { WebhookRegistry } from './registry.ts';
import { hubSignature } from './signature.ts';

const RETRY_STATUSES = new Set([408, 409, 425, 429]);
const MAX_KEPT = 2000;

/** One logical delivery: the same identifier and body on every attempt. */
export interface DeliveryRecord {
  readonly identifier: string;
  readonly event: string;
  readonly url: string;
  readonly kind: 'dynamic' | 'admin';
  readonly matchedWebhookIds: number[];
  readonly flow: 'Primary' | 'Secondary';
  readonly body: string;
  readonly cloudId: string;
  attempts: number;
  /** HTTP status of each attempt; 0 = network error or timeout. */
  statuses: number[];
  state: 'pending' | 'delivered' | 'failed' | 'dropped';
}

interface Target {
  url: string;
  kind: 'dynamic' | 'admin';
  ids: number[];
  secret?: string;
  ownerAccountId?: string;
}

/**
 * Delivers events to registered webhooks as Jira does: JWT (dynamic) or HMAC (admin) auth, a
 * stable identifier, up to 5 retries on 408/409/425/429/5xx/timeouts, and fault knobs that drop,
 * duplicate or shuffle deliveries.
 */
export class WebhookDispatcher {
  readonly log: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: Array<() => void> = [];
  private closed = false;
  private readonly deps: {
    world: World;
    registry: WebhookRegistry;
    options: ResolvedOptions;
    stats: SimStats;
    faults: FaultState;
    clock: SimClock;
  };

  constructor(deps: WebhookDispatcher['deps']) {
    this.deps = deps;
  }

  handle(event: SimEvent): void {
    const targets = this.targets(event);
    if (targets.length === 0) return;
    const base = buildPayload(this.deps.world, event);
    for (const target of targets) {
      const body = JSON.stringify(
        target.kind === 'dynamic' ? { ...base, matchedWebhookIds: target.ids } : base,
      );
      const record: DeliveryRecord = {
        identifier: randomUUID(),
        event: event.name,
        url: target.url,
        kind: target.kind,
        matchedWebhookIds: target.ids,
        flow: event.flow,
        body,
        cloudId: event.store.site.cloudId,
        attempts: 0,
        statuses: [],
        state: 'pending',
      };
      this.keep(record);
      this.enqueue(record, target);
    }
  }

  /** Stops timers; pending retries are abandoned. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private targets(event: SimEvent): Target[] {
    const { registry, clock } = this.deps;
    const now = clock.now();
    const cloudId = event.store.site.cloudId;
    const byUrl = new Map<string, Target>();
    for (const w of registry.ofSite(cloudId)) {
      if (w.expiresAt <= now || !w.events.includes(event.name) || !w.predicate(event.issue)) continue;
      if (event.name === 'jira:issue_updated' && w.fieldIdsFilter?.length) {
        const touched = event.changelog?.items.some((i) => w.fieldIdsFilter?.includes(i.fieldId ?? i.field));
        if (!touched) continue;
      }
      if (
        event.propertyKey !== undefined &&
        w.issuePropertyKeysFilter?.length &&
        !w.issuePropertyKeysFilter.includes(event.propertyKey)
      ) {
        continue;
      }
      const target = byUrl.get(w.url) ?? {
        url: w.url,
        kind: 'dynamic',
        ids: [],
        ownerAccountId: w.ownerAccountId,
      };
      target.ids.push(w.id);
      byUrl.set(w.url, target);
    }
    const admin = registry.admin
      .filter(
        (w) =>
          w.cloudId === cloudId &&
          w.events.includes(event.name) &&
          (!w.predicate || w.predicate(event.issue)),
      )
      .map(
        (w): Target => ({
          url: w.url,
          kind: 'admin',
          ids: [w.id],
          ...(w.secret ? { secret: w.secret } : {}),
        }),
      );
    return [...byUrl.values(), ...admin];
  }

  private enqueue(record: DeliveryRecord, target: Target): void {
    const faults = this.deps.faults.current;
    if ((faults.webhookDropRate ?? 0) > 0 && Math.random() < (faults.webhookDropRate ?? 0)) {
      record.state = 'dropped';
      this.deps.stats.webhooks.dropped++;
      return;
    }
    const copies =
      (faults.webhookDuplicateRate ?? 0) > 0 && Math.random() < (faults.webhookDuplicateRate ?? 0) ? 2 : 1;
    if (copies === 2) this.deps.stats.webhooks.duplicated++;
    for (let i = 0; i < copies; i++) {
      // A duplicate is a delivery of its own (own attempts and state) with the same identifier.
      const copy = i === 0 ? record : { ...record, attempts: 0, statuses: [], state: 'pending' as const };
      if (i > 0) this.keep(copy);
      const send = () => void this.attempt(copy, target, 0);
      const window = faults.webhookShuffleWindowMs ?? 0;
      if (window > 0) this.hold(send, window);
      else send();
    }
  }

  /** Holds deliveries for a window, then sends them in random order. */
  private hold(send: () => void, windowMs: number): void {
    this.held.push(send);
    if (this.held.length > 1) return;
    this.later(() => {
      const batch = this.held;
      this.held = [];
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j] as () => void, batch[i] as () => void];
      }
      for (const s of batch) s();
    }, windowMs);
  }

  private async attempt(record: DeliveryRecord, target: Target, retry: number): Promise<void> {
    if (this.closed) return;
    const { stats, options } = this.deps;
    record.attempts++;
    stats.webhooks.deliveries++;
    if (retry > 0) stats.webhooks.retries++;
    let status = 0;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: await this.headers(record, target, retry),
        body: record.body,
        signal: AbortSignal.timeout(options.webhookTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0; // connection refused, reset or timed out: retried like a 5xx
    }
    // webhookFailNext: the receiver got the POST, but the attempt counts as this status (forces retries).
    const pretended = this.deps.faults.current.webhookFailNext?.shift();
    if (pretended !== undefined) status = pretended;
    record.statuses.push(status);
    const retryable = status === 0 || status >= 500 || RETRY_STATUSES.has(status);
    if (!retryable) {
      record.state = status >= 200 && status < 300 ? 'delivered' : 'failed';
      if (record.state === 'failed') stats.webhooks.failures++;
      return;
    }
    const delays = options.webhookRetryDelaysMs.slice(0, 5);
    const delay = delays[retry];
    if (delay === undefined) {
      record.state = 'failed';
      stats.webhooks.failures++;
      return;
    }
    this.later(() => void this.attempt(record, target, retry + 1), delay);
  }

  private async headers(
    record: DeliveryRecord,
    target: Target,
    retry: number,
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Atlassian Webhook HTTP Client',
      'x-atlassian-webhook-identifier': record.identifier,
      'x-atlassian-webhook-flow': record.flow,
    };
    if (retry > 0) headers['x-atlassian-webhook-retry'] = String(retry);
    if (target.kind === 'dynamic') headers.authorization = `Bearer ${await this.jwt(record, target)}`;
    else if (target.secret) {
      headers['x-hub-signature'] = hubSignature(target.secret, record.body);
    }
    return headers;
  }

  /** HS256 with the app's client secret; the claims beyond exp are our best guess (undocumented). */
  private jwt(record: DeliveryRecord, target: Target): Promise<string> {
    const { options } = this.deps;
    // Real time, not the simulated clock: the receiver checks exp against its own clock.
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ context: { cloudId: record.cloudId } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`jira:${record.cloudId}`)
      .setAudience(options.clientId)
      .setSubject(target.ownerAccountId ?? '')
      .setIssuedAt(now)
      .setExpirationTime(now + options.webhookJwtTtlSeconds)
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(options.clientSecret));
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private keep(record: DeliveryRecord): void {
    this.log.push(record);
    if (this.log.length > MAX_KEPT) this.log.splice(0, this.log.length - MAX_KEPT);
  }
}
