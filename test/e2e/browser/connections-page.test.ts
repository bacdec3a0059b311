import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentThroughSimulator } from '../../helpers/consent.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../../helpers/relay-process.ts';
import { uniqueName } from '../../helpers/services.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { type Browser, launchBrowser } from './browser.ts';

const adminToken = 'browser-admin-token-connections-0123';

interface Listed {
  readonly id: string;
  readonly site: { readonly host: string };
  readonly status: string;
}

/** The admin API, read in the page's own session (the cookie the sign-in set). */
async function apiConnections(page: Page, relayUrl: string): Promise<Listed[]> {
  const response = await page.request.get(`${relayUrl}/admin/api/connections`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { connections: Listed[] }).connections;
}

function section(page: Page, host: string): Locator {
  return page.locator('section.site', { has: page.getByRole('heading', { name: host }) });
}

/**
 * An operator in headless chromium on /admin/connections against `npm start` and the simulator:
 * signs in, sees both sites with their lag and coverage lines (drawn from the planner's rounds),
 * pauses one through the confirmation step, sees it paused (and so does the admin API), and
 * resumes it. Screenshots land in test-results/screenshots/.
 */
describe('the operator in a real browser: the connections page', () => {
  let sim: Simulator;
  let relay: RelayProcess;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ port: 0, sites: 2, issuesPerSite: 5 });
    relay = await startRelay({
      ...relayServiceEnv(sim),
      ADMIN_TOKEN: adminToken,
      QUEUE_PREFIX: uniqueName('relay-conn-page'),
      CONNECTORS_CONFIG: writeConnectorsFile({
        crm: uniqueName('crm'),
        monitoring: uniqueName('monitoring'),
      }),
      KAFKA_DLQ_TOPIC: uniqueName('dlq'),
      KAFKA_TOPIC_PARTITIONS: '1',
      COMMANDS_ENABLED: 'false',
      // A planner round (and so a history sample) every second, instead of every five minutes.
      SYNC_PLAN_INTERVAL_SECONDS: '1',
    });
    const consent = await consentThroughSimulator(relay.url, adminToken);
    if (consent.status !== 200) throw new Error(`consent answered ${consent.status}: ${consent.html}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await sim?.close();
  });

  it('signs in, sees both sites, pauses one through the confirmation step and resumes it', {
    timeout: 90_000,
  }, async () => {
    const { page } = browser;
    const [first, second] = sim.sites;
    if (!first || !second) throw new Error('the simulator has two sites');

    await page.goto(`${relay.url}/admin/connections`);
    await page.waitForURL(/\/admin\/login\?next=%2Fadmin%2Fconnections/);
    await page.fill('input[name=token]', adminToken);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/connections$/);
    await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();

    // Both sites, each with a poll lag line once the planner has sampled a completed poll.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const lines = await page.locator('section.site svg.spark[aria-label^="poll lag"]').count();
      if (lines === 2) break;
      if (Date.now() > deadline) throw new Error(`no poll lag lines after 45 s:\n${relay.output()}`);
      await page.waitForTimeout(1000);
      await page.reload();
    }
    for (const s of sim.sites)
      await expect(section(page, s.host).locator('.status').textContent()).resolves.toBe('active');
    // Backfill, reconcile and replay: one line each, a bar where the pass has run.
    await expect(section(page, first.host).locator('.pass .kind').allInnerTexts()).resolves.toEqual([
      'backfill',
      'reconcile',
      'replay',
    ]);
    await browser.screenshot('connections-01-both-sites');

    // Pause the first site: the lever leads to a confirmation step that changes nothing by itself.
    await section(page, first.host).getByRole('link', { name: 'Pause' }).click();
    await page.waitForURL(/\/confirm\/pause$/);
    await page.getByRole('heading', { name: `Pause: ${first.host}?` }).waitFor();
    await browser.screenshot('connections-02-confirm-pause');
    const before = await apiConnections(page, relay.url);
    expect(before.every((c) => c.status === 'active')).toBe(true);
    await page.getByRole('button', { name: 'Confirm pause' }).click();

    await page.waitForURL(/\/admin\/connections$/);
    await page.getByRole('status').getByText(`Paused ${first.host}`).waitFor();
    await expect(section(page, first.host).locator('.status').textContent()).resolves.toBe('paused');
    await expect(section(page, second.host).locator('.status').textContent()).resolves.toBe('active');
    await section(page, first.host).getByRole('link', { name: 'Resume' }).waitFor();
    await browser.screenshot('connections-03-paused');
    const paused = await apiConnections(page, relay.url);
    expect(Object.fromEntries(paused.map((c) => [c.site.host, c.status]))).toEqual({
      [first.host]: 'paused',
      [second.host]: 'active',
    });

    // The flash is said once: a reload no longer shows it.
    await page.reload();
    await expect(page.getByRole('status').count()).resolves.toBe(0);

    // A form posted from another origin with the operator's session is refused, as for the API.
    const pausedId = paused.find((c) => c.site.host === first.host)?.id;
    const forged = await page.request.post(`${relay.url}/admin/connections/${pausedId}/resume`, {
      headers: { origin: 'http://evil.example' },
      form: {},
    });
    expect(forged.status()).toBe(403);
    expect((await apiConnections(page, relay.url)).find((c) => c.id === pausedId)?.status).toBe('paused');

    await section(page, first.host).getByRole('link', { name: 'Resume' }).click();
    await page.waitForURL(/\/confirm\/resume$/);
    await page.getByRole('button', { name: 'Confirm resume' }).click();
    await page.waitForURL(/\/admin\/connections$/);
    await page.getByRole('status').getByText(`Resumed ${first.host}`).waitFor();
    await expect(section(page, first.host).locator('.status').textContent()).resolves.toBe('active');
    expect((await apiConnections(page, relay.url)).every((c) => c.status === 'active')).toBe(true);
    await browser.screenshot('connections-04-resumed');
  });
});
