/**
 * Renders the end-to-end latency distribution (one CDF line per delivery rate) as SVG, then as PNG
 * through Debian's chromium and playwright-core. Returns false when no browser is available.
 */
import { existsSync } from 'node:fs';

const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function latencySvg(distributions: Readonly<Record<string, readonly number[]>>): string {
  const width = 900;
  const height = 480;
  const pad = { left: 70, right: 170, top: 40, bottom: 60 };
  // A loop, not Math.max(...values): a long run has more samples than a call may take arguments.
  let maxMs = 10;
  for (const values of Object.values(distributions))
    for (const v of values) maxMs = Math.max(maxMs, Math.min(v, 5000));
  const x = (ms: number) =>
    pad.left + (Math.log10(Math.max(ms, 1)) / Math.log10(maxMs)) * (width - pad.left - pad.right);
  const y = (q: number) => height - pad.bottom - q * (height - pad.top - pad.bottom);
  const lines = Object.entries(distributions).map(([label, values], i) => {
    const sorted = [...values].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points = sorted
      .filter((_, k) => k % step === 0)
      .map((v, k) => `${x(v).toFixed(1)},${y((k * step + 1) / sorted.length).toFixed(1)}`);
    const color = colors[i % colors.length];
    const legendY = pad.top + 20 + i * 22;
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>
<line x1="${width - pad.right + 20}" y1="${legendY}" x2="${width - pad.right + 45}" y2="${legendY}" stroke="${color}" stroke-width="3"/>
<text x="${width - pad.right + 52}" y="${legendY + 4}" font-size="13">${label} (${sorted.length})</text>`;
  });
  const ticks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter((t) => t <= maxMs);
  const xTicks = ticks.map(
    (t) =>
      `<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(1)}" stroke="#eee"/><text x="${x(t)}" y="${y(0) + 18}" font-size="12" text-anchor="middle">${t}</text>`,
  );
  const yTicks = [0, 0.5, 0.9, 0.99].map(
    (q) =>
      `<line x1="${pad.left}" y1="${y(q)}" x2="${width - pad.right}" y2="${y(q)}" stroke="#eee"/><text x="${pad.left - 8}" y="${y(q) + 4}" font-size="12" text-anchor="end">${q}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="24" font-size="16" font-weight="bold">jira-relay: webhook delivery to event readable on Kafka (CDF)</text>
${xTicks.join('\n')}
${yTicks.join('\n')}
<line x1="${pad.left}" y1="${y(0)}" x2="${width - pad.right}" y2="${y(0)}" stroke="#333"/>
<line x1="${pad.left}" y1="${y(0)}" x2="${pad.left}" y2="${y(1)}" stroke="#333"/>
<text x="${(pad.left + width - pad.right) / 2}" y="${height - 15}" font-size="13" text-anchor="middle">latency, ms (log scale)</text>
<text x="18" y="${(pad.top + height - pad.bottom) / 2}" font-size="13" transform="rotate(-90 18 ${(pad.top + height - pad.bottom) / 2})" text-anchor="middle">share of deliveries</text>
${lines.join('\n')}
</svg>`;
}

export async function writeLatencyPng(svg: string, file: string): Promise<boolean> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return false;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 480 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 900, height: 480 } });
    return true;
  } finally {
    await browser.close();
  }
}
