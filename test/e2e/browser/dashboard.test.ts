import { type Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { createRedisClient, type RedisClient } from '../../../src/state/redis-client.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../../helpers/relay-process.ts';
import { bullPrefixOf, redisTarget, uniqueName } from '../../helpers/services.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { type Browser, launchBrowser } from './browser.ts';

const adminToken = 'browser-admin-token-0123456789';

async function untilFailed(job: Job, relay: RelayProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await job.getState()) !== 'failed') {
    if (Date.now() > deadline) throw new Error(`the job did not fail:\n${relay.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An operator in headless chromium against `npm start` and the simulator: signs in to the
 * dashboard, reads the queues and a job that failed for real, and connects Jira through the
 * consent page. Screenshots land in test-results/screenshots/ (kept as CI artifacts).
 */
describe('the operator in a real browser: dashboard and consent', () => {
  const queuePrefix = uniqueName('relay-browser');
  let sim: Simulator;
  let relay: RelayProcess;
  let browser: Browser;
  let changes: Queue;
  let redis: RedisClient;

  beforeAll(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ port: 0, sites: 2, issuesPerSite: 5, autoConsent: false });
    relay = await startRelay({
      ...relayServiceEnv(sim),
      ADMIN_TOKEN: adminToken,
      QUEUE_PREFIX: queuePrefix,
      CONNECTORS_CONFIG: writeConnectorsFile({
        crm: uniqueName('crm'),
        monitoring: uniqueName('monitoring'),
      }),
      KAFKA_DLQ_TOPIC: uniqueName('dlq'),
      KAFKA_TOPIC_PARTITIONS: '1',
    });
    redis = createRedisClient(redisTarget(), { maxRetriesPerRequest: null });
    changes = new Queue(queueNames.changes, { connection: redis, prefix: bullPrefixOf(queuePrefix) });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await changes?.obliterate({ force: true }).catch(() => undefined);
    await changes?.close();
    await redis?.quit();
    await relay?.stop();
    await sim?.close();
  });

  it('signs in, sees every queue with its counts, and opens a job that failed for real', {
    timeout: 90_000,
  }, async () => {
    // A change job whose data is no change: the relay's changes worker fails it unrecoverably.
    const job = await changes.add('issue.updated', { change: { entity: 'epic', site: {} } });
    await untilFailed(job, relay);
    const { page } = browser;

    await page.goto(`${relay.url}/admin/queues`);
    await page.waitForURL(/\/admin\/login\?next=/);
    await browser.screenshot('01-login');
    await page.fill('input[name=token]', 'a-wrong-admin-token');
    await page.click('button[type=submit]');
    await page.getByText('That token is not valid.').waitFor();
    await page.fill('input[name=token]', adminToken);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/queues$/);
    await page.getByText('1 Job').first().waitFor();
    await browser.screenshot('02-queues');
    // Bull Board renders the queue cards one by one: read the page once every card is there.
    let overview = '';
    await waitUntil('every queue card', async () => {
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as the operator reads it
      overview = await page.locator('body').innerText();
      return /jira-changes\s+FAILED\s+1\s+1 Job/.test(overview) && /maintenance\s+\d+ Jobs?/.test(overview);
    });
    for (const name of Object.values(queueNames)) expect(overview).toContain(name);
    expect(overview).toMatch(/jira-changes\s+FAILED\s+1\s+1 Job/);
    expect(overview).toMatch(/maintenance\s+\d+ Jobs?/);

    await page.getByRole('link', { name: queueNames.changes }).first().click();
    await page.getByRole('link', { name: /^FAILED/ }).click();
    await page.waitForURL(/status=failed/);
    await page.getByText('invalid change job').first().waitFor();
    await page.getByRole('button', { name: 'Retry all' }).waitFor();
    await browser.screenshot('03-failed-jobs');

    await page.getByRole('link', { name: new RegExp(`^#${job.id}\\s*issue\\.updated`) }).click();
    await page.waitForURL(new RegExp(`/queue/${queueNames.changes}/${job.id}(\\?|$)`));
    await page.getByText('UnrecoverableError: invalid change job').waitFor();
    await browser.screenshot('04-failed-job-error');
    await page.getByText('Data', { exact: true }).click();
    await page.getByText('"epic"').waitFor();
    await browser.screenshot('05-failed-job-data');
  });

  it('walks an operator from /admin/connect (a fresh connect link) through the consent page to the connected sites', {
    timeout: 60_000,
  }, async () => {
    const { page } = browser;
    await page.goto(`${relay.url}/admin/connect`);
    await page.waitForURL((url) => url.href.startsWith(`${sim.url}/authorize`));
    const accept = page.getByRole('button', { name: 'Accept' });
    await accept.waitFor();
    await browser.screenshot('06-consent');
    await accept.click();

    await page.waitForURL(/\/oauth\/callback/);
    await page.getByRole('heading', { name: 'Jira connected' }).waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as the operator reads it
    const connected = await page.locator('body').innerText();
    for (const site of sim.sites) expect(connected).toContain(site.host);
    await browser.screenshot('07-connected');

    // The same browser session reads the admin API: both sites, active, listed by the relay.
    await page.goto(`${relay.url}/admin/api/connections`);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as the operator reads it
    const listed = JSON.parse(await page.locator('body').innerText()) as {
      connections: { site: { host: string }; status: string }[];
    };
    expect(listed.connections.map((c) => c.site.host).sort()).toEqual(sim.sites.map((s) => s.host).sort());
    expect(listed.connections.every((c) => c.status === 'active')).toBe(true);
  });
});
