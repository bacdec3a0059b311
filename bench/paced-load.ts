import http from 'node:http';

/** What a load run measured; latencies in ms. */
export interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

/**
 * Open-loop load at an even pace: a request falls due every 1/rate s and goes out on a free
 * keep-alive socket (a new one when none is free), however long the answers before it took.
 * Latency runs from the moment a request was due, so a stall of the server, or of this process,
 * counts in full (no coordinated omission). autocannon's rate mode instead sends each
 * connection's share of a second back to back when the second starts: bursts, where deliveries
 * from Jira arrive one by one.
 */
export async function pacedLoad(opts: {
  readonly url: string;
  readonly body: string;
  /** Per request: a delivery needs its own identifier. */
  readonly headers: () => Readonly<Record<string, string>>;
  readonly rate: number;
  readonly seconds: number;
}): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const done = (ok: boolean) => {
        if (!ok) non2xx++;
        latencies.push(performance.now() - due);
        resolve();
      };
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          timeout: 10_000,
          headers: { ...opts.headers(), 'content-length': Buffer.byteLength(opts.body) },
        },
        (response) => {
          response.resume();
          response.once('end', () => done((response.statusCode ?? 0) < 300));
        },
      );
      request.once('timeout', () => request.destroy(new Error('timed out')));
      request.once('error', () => done(false));
      request.end(opts.body);
    });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  await new Promise<void>((finished) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (inFlight.length < due) inFlight.push(send(started + inFlight.length * interval));
      if (inFlight.length >= total) {
        clearInterval(tick);
        finished();
      }
    }, 1);
  });
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round1(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    requests: total,
    perSecond: Math.round(total / elapsedSeconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    non2xx,
  };
}

export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}
