import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { onTestFinished } from 'vitest';
import { type AdminRouteDeps, registerAdminRoutes } from '../../../src/admin/admin-plugin.ts';
import { RedisAuthThrottle } from '../../../src/admin/auth-throttle.ts';
import { buildApp } from '../../../src/app.ts';
import { RedisCommandStore } from '../../../src/commands/command-store.ts';
import { createJiraServices } from '../../../src/composition/jira-services.ts';
import { createSyncServices, type SyncServices } from '../../../src/composition/sync-services.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import { installErrorHandler } from '../../../src/http/error-handler.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { BullChangeQueue } from '../../../src/queues/change-queue.ts';
import { reconcileJob } from '../../../src/queues/maintenance-jobs.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { syncFields } from '../../../src/sync/sync-scope.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
import { WebhookRegistrar } from '../../../src/webhooks/webhook-registrar.ts';
import { RedisWebhookSecretStore } from '../../../src/webhooks/webhook-secret-store.ts';
import { startSyncWorker } from '../../../workers/sync-worker.ts';
import { bullPrefixOf, testRedis, uniqueName } from '../../helpers/services.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import type { SimulatorOptions } from '../../sim/index.ts';
import { consent, startTokenStack, type TokenStack } from '../tokens/token-stack.ts';

export const adminToken = 'admin-token-0123456789';

/** The admin surface on real Redis, real BullMQ queues and the simulator, torn down after the test. */
export interface AdminStack {
  readonly tokens: TokenStack;
  readonly app: FastifyInstance;
  readonly deps: AdminRouteDeps;
  readonly queues: Record<keyof typeof queueNames, Queue>;
  /** The queues' BullMQ prefix, as the relay makes it (`{…}` on a cluster), for workers on them. */
  readonly queuePrefix: string;
  readonly registrar: WebhookRegistrar;
  readonly registrations: RedisRegistrationStore;
  /** The two-way sync's command store on the stack's Redis prefix: tests record results with `finish`. */
  readonly commands: RedisCommandStore;
  /** Background sync as main.ts builds it (createServices): the admin API's SyncControl is `sync.control`. */
  readonly sync: SyncServices;
  /** The clock the session cookies are checked against; tests move it. */
  readonly clock: { now: number };
  /** Consents (auto-consent on the simulator) and returns the site connections, oldest first. */
  connect(): Promise<Connection[]>;
  /** A real sync worker on the stack's `jira-sync` queue, changes queued on `jira-changes`. */
  startSyncWorker(): Worker;
  /** A request with the admin bearer token. */
  api(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<ApiResponse>;
  /** A GET of an admin page, with the bearer token unless `token` is false. */
  page(url: string, token?: boolean): Promise<{ status: number; type: string; body: string }>;
}

interface ApiResponse {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

export interface AdminStackOptions {
  readonly sim?: SimulatorOptions;
  readonly publicUrl?: string;
  readonly sessionSeconds?: number;
  /** Wrong tokens per address before 429 (ADMIN_AUTH_MAX_FAILURES); default: no throttle. */
  readonly maxAuthFailures?: number;
  /** Configuration on top of the token stack's (e.g. SYNC_POLL_OVERLAP_MS). */
  readonly env?: Record<string, string>;
}

export async function startAdminStack(opts: AdminStackOptions = {}): Promise<AdminStack> {
  const tokens = await startTokenStack({
    sim: { sites: 2, ...opts.sim },
    env: { ADMIN_TOKEN: adminToken, ...opts.env },
  });
  const queuePrefix = bullPrefixOf(uniqueName('jr-admin'));
  // This run's Redis, its cluster on a cluster run (BullMQ takes no cluster seeds as options).
  const connection = testRedis();
  const queues = {
    events: new Queue(queueNames.events, { connection, prefix: queuePrefix }),
    sync: new Queue(queueNames.sync, { connection, prefix: queuePrefix }),
    changes: new Queue(queueNames.changes, { connection, prefix: queuePrefix }),
    maintenance: new Queue(queueNames.maintenance, { connection, prefix: queuePrefix }),
  };
  onTestFinished(async () => {
    await Promise.all(
      Object.values(queues).map((q) => q.obliterate({ force: true }).finally(() => q.close())),
    );
  });
  const registrations = new RedisRegistrationStore(tokens.redis, tokens.keyPrefix);
  const registrar = new WebhookRegistrar({
    connections: tokens.services.connections,
    registrations,
    clientFor: (c) => tokens.jira(c),
    callbackUrl: 'http://relay.test/webhooks/jira',
    refreshBeforeMs: 7 * 86_400_000,
    now: tokens.sim.clock.now,
  });
  // As createServices builds it, on the stack's Redis prefix (removed after the test) and sync queue.
  const jira = createJiraServices(
    { ...tokens.config, QUEUE_PREFIX: tokens.keyPrefix },
    { redis: tokens.redis, tokens: tokens.services.tokens, log: tokens.log, now: tokens.sim.clock.now },
  );
  const sync = createSyncServices(
    { ...tokens.config, QUEUE_PREFIX: tokens.keyPrefix },
    {
      redis: tokens.redis,
      budget: jira.budget,
      syncQueue: queues.sync,
      connections: tokens.services.connections,
      log: tokens.log,
      now: tokens.sim.clock.now,
    },
  );
  const commands = new RedisCommandStore(tokens.redis, {
    prefix: tokens.keyPrefix,
    resultTtlSeconds: 3600,
    recentPerSite: 500,
  });
  const clock = { now: Date.now() };
  const deps: AdminRouteDeps = {
    adminToken,
    publicUrl: opts.publicUrl ?? 'http://relay.test',
    sessionSeconds: opts.sessionSeconds ?? 3600,
    queues: Object.values(queues),
    connections: tokens.services.connections,
    commands,
    registrations,
    webhooks: registrar,
    sync: sync.control,
    siteHistory: sync.history,
    budget: sync.budget,
    // As main.ts wires it: a reconcile job on the maintenance queue.
    reconcileWebhooks: async (id) => {
      const job = reconcileJob(id);
      await queues.maintenance.add(job.name, job.data, job.opts);
    },
    webhookSecrets: new RedisWebhookSecretStore({
      redis: tokens.redis,
      keyPrefix: tokens.keyPrefix,
      cipher: tokens.services.cipher,
    }),
    rotationGraceSeconds: 3600,
    connectLinks: tokens.services.connectLinks,
    now: () => clock.now,
    ...(opts.maxAuthFailures
      ? {
          authThrottle: new RedisAuthThrottle({
            redis: tokens.redis,
            keyPrefix: tokens.keyPrefix,
            maxFailures: opts.maxAuthFailures,
            windowSeconds: 60,
          }),
        }
      : {}),
  };
  // /metrics as createServices wires it: the sync families read from the same sync services.
  const metrics = createMetrics({ syncState: () => sync.metricsSnapshot() });
  const app = await buildApp({ config: tokens.config, log: tokens.log, readiness: [], metrics, admin: deps });
  onTestFinished(() => app.close());

  return {
    tokens,
    app,
    deps,
    queues,
    queuePrefix,
    registrar,
    registrations,
    commands,
    sync,
    clock,
    startSyncWorker() {
      const clientFor = jira.clientFor;
      const worker = startSyncWorker(
        { connection, prefix: queuePrefix },
        {
          connections: tokens.services.connections,
          clientFor,
          pass: sync.passDeps({
            queue: new BullChangeQueue(queues.changes),
            entities: new RedisEntityState(tokens.redis, tokens.keyPrefix),
            fieldsFor: async () => syncFields([]),
          }),
          cursors: sync.cursors,
          leases: sync.leases,
          budget: sync.budget,
          planner: sync.planner,
          queue: queues.sync,
          busyRetryMs: tokens.config.SYNC_SITE_BUSY_RETRY_MS,
          log: tokens.log,
        },
        { concurrency: 1, lockDurationMs: tokens.config.SYNC_JOB_LOCK_MS },
      );
      worker.on('error', () => undefined);
      onTestFinished(() => worker.close());
      return worker;
    },
    async connect() {
      const result = await consent(tokens);
      if (result.status !== 200) throw new Error(`consent answered ${result.status}: ${result.html}`);
      return tokens.services.connections.list();
    },
    async api(method, url, body) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${adminToken}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      return { status: response.statusCode, json: response.json() };
    },
    async page(url, token = true) {
      const headers = token ? { authorization: `Bearer ${adminToken}` } : {};
      const response = await app.inject({ method: 'GET', url, headers });
      return {
        status: response.statusCode,
        type: String(response.headers['content-type']),
        body: response.body,
      };
    },
  };
}

/** The admin routes alone on a bare Fastify, with every route they register recorded. */
export async function adminRoutesOnly(
  deps: AdminRouteDeps,
): Promise<{ app: FastifyInstance; routes: RouteOptions[] }> {
  const app = Fastify();
  installErrorHandler(app);
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  await registerAdminRoutes(app, deps);
  await app.ready();
  onTestFinished(() => app.close());
  return { app, routes };
}

/** The jobs named `name` that wait in `queue`. */
export async function waitingJobs(queue: Queue, name: string) {
  return (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.name === name);
}

/** A real worker on one of the stack's queues; `fail` decides per job whether this attempt fails. */
export function startWorker(stack: AdminStack, queue: Queue, fail: (job: Job) => boolean): Worker {
  const worker = new Worker(
    queue.name,
    async (job) => {
      if (fail(job)) throw new UnrecoverableError(`${job.name} cannot be processed`);
      return { done: job.data };
    },
    { connection: testRedis(), prefix: stack.queuePrefix },
  );
  onTestFinished(() => worker.close());
  return worker;
}

export function until(what: string, check: () => Promise<boolean>): Promise<void> {
  return waitUntil(what, check, { timeoutMs: 10_000, everyMs: 20 });
}

export async function failedJob(queue: Queue, name: string, data: Record<string, unknown>): Promise<Job> {
  const job = await queue.add(name, data, { attempts: 3 });
  await until(`${name} to fail`, async () => (await job.getState()) === 'failed');
  await sleep(5); // distinct failure times
  return job;
}
