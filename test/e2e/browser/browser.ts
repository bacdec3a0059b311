import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium package; `.ci/run` installs it when it is missing. */
const executablePath = '/usr/bin/chromium';

const screenshotDir = path.resolve(import.meta.dirname, '../../../test-results/screenshots');

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly page: Page;
  /** Saves test-results/screenshots/<name>.png (full page). */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless chromium on a fresh profile, closed and deleted by `close()`. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `chromium is missing at ${executablePath}: install it (apt-get install -y chromium) to run the browser test`,
    );
  }
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'jira-relay-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args,
      headless: true,
      viewport: { width: 1400, height: 900 },
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  // No network beyond loopback here: the dashboard's web-font request would only hang until it fails.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(screenshotDir, { recursive: true });
  return {
    page,
    async screenshot(name) {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
