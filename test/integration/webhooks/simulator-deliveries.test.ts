import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { buildApp } from '../../../src/app.ts';
import { bullConnection } from '../../../src/composition/bull-connection.ts';
import { adminRouteDeps, oauthRouteDeps, webhookRouteDeps } from '../../../src/composition/route-deps.ts';
import { createServices, type Services } from '../../../src/composition/services.ts';
import { createLogger } from '../../../src/logger.ts';
import type { ChangeJob } from '../../../src/queues/change-queue.ts';
import { bullPrefix } from '../../../src/state/redis-client.ts';
import { startEventsWorker } from '../../../workers/events-worker.ts';
import { consentThroughSimulator } from '../../helpers/consent.ts';
import { atlassianEnv } from '../../helpers/relay-env.ts';
import { freePort } from '../../helpers/relay-process.ts';
import { redisEnv, uniqueName } from '../../helpers/services.ts';
import { validEnv } from '../../helpers/valid-env.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';

/**
 * Jira's delivery habits against the real intake: the simulator retries on 5xx, duplicates and
 * shuffles deliveries; every change must still be queued exactly once as a JiraChange.
 */
describe('deliveries from the simulator, with retries, duplicates and shuffling', () => {
  let sim: Simulator;
  let services: Services;
  let worker: Worker;
  let close: () => Promise<void>;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      sites: 1,
      issuesPerSite: 10,
      webhookRetryDelaysMs: [20, 40, 80, 160, 320],
    });
    const port = await freePort();
    const config = loadConfig(
      validEnv({
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...redisEnv(),
        ...atlassianEnv(sim),
        QUEUE_PREFIX: uniqueName('relay'),
      }),
    );
    const log = createLogger({ level: 'silent' });
    services = createServices(config, log);
    await services.connect();
    const app = await buildApp({
      config,
      log,
      readiness: [],
      webhooks: webhookRouteDeps(services),
      admin: adminRouteDeps(services),
      oauth: oauthRouteDeps(config, services.tokens, async (connections) => {
        for (const c of connections) await services.registrar.reconcile(c.id);
      }),
    });
    await app.listen({ port, host: '127.0.0.1' });
    // As the worker role wires it (composition/worker-deps.ts): its connection closes with the services.
    worker = startEventsWorker(
      {
        connection: bullConnection(config, { maxRetriesPerRequest: null }, services.shutdown, 'workers'),
        prefix: bullPrefix(config),
        concurrency: 10,
      },
      {
        claims: services.claims,
        // Every change goes to the change queue (the relay's slow path), so the test can count them there.
        handle: async (change) => {
          await services.changeQueue.enqueue([change]);
          return { outcome: 'deferred', reason: 'queued for the test' };
        },
        markdown: false,
        log,
        metrics: services.metrics,
      },
    );
    close = async () => {
      await app.close();
      await worker.close();
      for (const queue of Object.values(services.queues)) await queue.obliterate({ force: true });
      await services.shutdown.run();
      await sim.close();
    };
    expect((await consentThroughSimulator(config.PUBLIC_URL, config.ADMIN_TOKEN)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await close?.();
  });

  it('queues each change exactly once', async () => {
    const [site] = sim.sites;
    if (!site) throw new Error('no site');
    sim.setFaults({
      webhookDuplicateRate: 1,
      webhookShuffleWindowMs: 150,
      webhookFailNext: [500, 503, 502, 500],
    });
    for (let i = 0; i < 6; i++) {
      sim.clock.advance(1000);
      const issue = sim.createIssue(site.cloudId, { fields: { summary: `Issue ${i}` } });
      sim.clock.advance(1000);
      sim.updateIssue(site.cloudId, issue.key, { fields: { summary: `Issue ${i}, edited` } });
      sim.clock.advance(1000);
      sim.addComment(site.cloudId, issue.key, `Comment on ${i}`);
    }

    // What Jira meant to say: one change per (entity, version) among the bodies it sent.
    const expected = new Set<string>();
    const settle = Date.now() + 20_000;
    for (;;) {
      const deliveries = sim.control.deliveries();
      const pending = deliveries.filter((d) => d.state === 'pending').length;
      if (pending === 0 && deliveries.length > 0 && (await services.queues.events.count()) === 0) break;
      if (Date.now() > settle) throw new Error(`deliveries did not settle (${pending} pending)`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const deliveries = sim.control.deliveries();
    for (const d of deliveries.filter((x) => x.state === 'delivered')) {
      const body = JSON.parse(d.body) as {
        issue?: { id: string; fields?: { updated?: string } };
        comment?: { id: string; updated: string };
      };
      if (d.event.startsWith('comment_'))
        expected.add(`comment:${body.comment?.id}:${Date.parse(body.comment?.updated ?? '')}`);
      else
        expected.add(
          `issue:${body.issue?.id}:${Date.parse((body.issue?.fields?.updated ?? '').replace(/(\d{2})(\d{2})$/, '$1:$2'))}`,
        );
    }

    const jobs = await services.queues.changes.getJobs(['wait', 'delayed', 'active', 'completed', 'failed']);
    const queued = jobs.map((j) => {
      const { change } = j.data as ChangeJob;
      return change.entity === 'comment'
        ? `comment:${change.comment.id}:${change.version}`
        : `issue:${change.issue.id}:${change.version}`;
    });
    expect(new Set(queued).size).toBe(queued.length);
    expect(new Set(queued)).toEqual(expected);
    // The faults were real: Jira sent every delivery twice and retried after failures.
    const stats = sim.stats().webhooks;
    expect(stats.duplicated).toBeGreaterThanOrEqual(expected.size);
    expect(stats.retries).toBeGreaterThan(0);
    expect(deliveries.some((d) => d.attempts > 1)).toBe(true);
  }, 60_000);
});
