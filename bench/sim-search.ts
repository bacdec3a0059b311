/**
 * Simulator search benchmark (not a test): how fast the Atlassian simulator serves enhanced-search
 * pages, so that it is never the bottleneck of the relay's benchmarks.
 *   node bench/sim-search.ts [issues] [pagers]      (defaults: 100000 issues, 1 and 4 pagers)
 * The simulator runs in a CHILD process (one Node event loop = one core at most); this process
 * pages through `search/jql` with 100 issues per page and the fields a sync reads, following
 * nextPageToken like a sync does. Reports issues/s by wall clock and per CPU-second of the child.
 * Writes bench/results/sim-search.{json,md}.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FIELDS =
  'summary,status,updated,created,assignee,reporter,priority,labels,components,issuetype,project,description,comment,customfield_10010';
const JQL = 'project in (OPS, CRM, WEB) AND updated >= 0 ORDER BY updated ASC, id ASC';

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else await main();

/** Child: the simulator with one big site, limits off, answering on a random port. */
async function serve(issues: number): Promise<void> {
  const { startSimulator } = await import('../test/sim/index.ts');
  const t0 = performance.now();
  const sim = await startSimulator({
    port: 0,
    sites: 1,
    issuesPerSite: issues,
    pointsPerWindow: Number.MAX_SAFE_INTEGER,
    burstGetPostPerSecond: 0,
  });
  const generationMs = performance.now() - t0;
  process.send?.({
    url: sim.url,
    cloudId: sim.sites[0]?.cloudId,
    generationMs,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  });
  process.on('message', async () => {
    await sim.close();
    process.exit(0);
  });
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
}

async function token(url: string): Promise<string> {
  const { obtainTokens } = await import('../test/sim/test-client.ts');
  return (await obtainTokens(url)).access_token;
}

/** Pages through the whole result set; returns issues and pages seen. */
async function pageThrough(base: string, accessToken: string): Promise<{ issues: number; pages: number }> {
  let issues = 0;
  let pages = 0;
  let next: string | undefined;
  do {
    const body: Record<string, unknown> = { jql: JQL, fields: FIELDS.split(','), maxResults: 100 };
    if (next) body.nextPageToken = next;
    const res = await fetch(`${base}/search/jql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`search answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { issues: unknown[]; nextPageToken?: string };
    issues += page.issues.length;
    pages++;
    next = page.nextPageToken;
  } while (next);
  return { issues, pages };
}

async function main(): Promise<void> {
  const issues = Number(process.argv[2] ?? 100_000);
  const child = fork(import.meta.filename, ['--serve', String(issues)], { stdio: 'inherit' });
  const ready = await new Promise<{ url: string; cloudId: string; generationMs: number; rssMb: number }>(
    (resolve) => child.once('message', (m) => resolve(m as never)),
  );
  const accessToken = await token(ready.url);
  const base = `${ready.url}/ex/jira/${ready.cloudId}/rest/api/3`;
  await pageThrough(base, accessToken); // warm-up: JIT, Intl caches
  const runs = [];
  for (const pagers of process.argv[3] ? [Number(process.argv[3])] : [1, 4]) {
    const cpu0 = cpuSeconds(child.pid as number);
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: pagers }, () => pageThrough(base, accessToken)));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid as number) - cpu0;
    const served = results.reduce((n, r) => n + r.issues, 0);
    const pages = results.reduce((n, r) => n + r.pages, 0);
    runs.push({
      pagers,
      issues: served,
      pages,
      seconds: round(seconds),
      issuesPerSecond: Math.round(served / seconds),
      simulatorCpuSeconds: round(cpu),
      issuesPerSimulatorCpuSecond: Math.round(served / cpu),
      meanPageMs: round((seconds * 1000 * pagers) / pages),
    });
  }
  child.send('stop');
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    issuesInSite: issues,
    generationMs: Math.round(ready.generationMs),
    simulatorRssMb: Math.round(ready.rssMb),
    fields: FIELDS,
    jql: JQL,
    goalIssuesPerSecond: 2000,
    runs,
  };
  // The Markdown report on stdout too: npm run bench embeds what each script prints.
  console.log(writeReport(report));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Writes sim-search.json and sim-search.md; returns the Markdown. */
function writeReport(report: { runs: Array<Record<string, number>> } & Record<string, unknown>): string {
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sim-search.json'), `${JSON.stringify(report, null, 2)}\n`);
  const rows = report.runs.map(
    (r) =>
      `| ${r.pagers} | ${r.issues} | ${r.pages} | ${r.seconds} | **${r.issuesPerSecond}** | ${r.simulatorCpuSeconds} | ${r.issuesPerSimulatorCpuSecond} | ${r.meanPageMs} |`,
  );
  const md = [
    '# Simulator search benchmark',
    '',
    `${report.date}, Node ${report.node}, ${report.cpu}. Simulator in a child process (one event loop, so at most one core);`,
    `the client pages through \`search/jql\` (POST, 100 issues per page, ${String(report.fields).split(',').length} fields incl. description and comments) in the parent.`,
    `Site of ${report.issuesInSite} issues generated in ${report.generationMs} ms (simulator RSS ${report.simulatorRssMb} MB). Goal: ${report.goalIssuesPerSecond} issues/s.`,
    '',
    '| concurrent pagers | issues | pages | seconds | issues/s | simulator CPU s | issues per simulator CPU s | mean page ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'sim-search.md'), md);
  return md;
}
