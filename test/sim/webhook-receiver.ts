import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LooseJson } from './test-client.ts';

export interface ReceivedDelivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: LooseJson;
}

/**
 * A real HTTP endpoint for webhook tests: records every delivery and answers with the next status
 * of `statuses` (then 200), after the next delay of `delaysMs` (then at once). Close it when done.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  statuses: number[] = [];
  /** A delay longer than the simulator's `webhookTimeoutMs` makes that attempt time out. */
  delaysMs: number[] = [];
  private readonly server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      this.received.push({ headers: req.headers, raw, body: raw ? JSON.parse(raw) : {} });
      const status = this.statuses.shift() ?? 200;
      const delay = this.delaysMs.shift() ?? 0;
      const answer = () => {
        res.statusCode = status;
        res.end();
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/jira`;
  }

  /** Resolves once `predicate` holds for the received deliveries (polling; short timeout). */
  async waitFor(
    predicate: (received: ReceivedDelivery[]) => boolean,
    timeoutMs = 3000,
  ): Promise<ReceivedDelivery[]> {
    const until = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > until) throw new Error(`timed out; received ${this.received.length} deliveries`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
