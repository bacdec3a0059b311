import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP load balancer on loopback in front of the api processes, standing in for the
 * cloud load balancer: PUBLIC_URL (OAuth redirects, the webhook URL registered with Jira) points at
 * it, and each request goes to the next backend. A backend that refuses the connection is skipped
 * for that request (a passive health check); the request body is buffered so it can be re-sent.
 */
export class RoundRobinBalancer {
  readonly url: string;
  /** Webhook deliveries (`/webhooks/...`) each backend answered, by backend URL. */
  readonly webhooksAnswered = new Map<string, number>();
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** `backends` is read on every request, so a replaced process is picked up at once. */
  static async start(backends: () => readonly string[]): Promise<RoundRobinBalancer> {
    let next = 0;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const targets = backends();
        const start = next++;
        const order = targets.map((_, i) => targets[(start + i) % targets.length] ?? '');
        forward(req, Buffer.concat(chunks), res, order, balancer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const balancer = new RoundRobinBalancer(server);
    return balancer;
  }

  count(backend: string, path: string): void {
    if (!path.startsWith('/webhooks/')) return;
    this.webhooksAnswered.set(backend, (this.webhooksAnswered.get(backend) ?? 0) + 1);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function forward(
  req: http.IncomingMessage,
  body: Buffer,
  res: http.ServerResponse,
  backends: readonly string[],
  balancer: RoundRobinBalancer,
): void {
  const [backend, ...rest] = backends;
  if (!backend) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend answered');
    return;
  }
  const upstream = http.request(`${backend}${req.url ?? '/'}`, {
    method: req.method,
    headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' },
  });
  upstream.on('response', (answer) => {
    balancer.count(backend, req.url ?? '');
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    // Nothing reached the backend: the next one may take it. Anything else is the client's 502.
    if (err.code === 'ECONNREFUSED' && !res.headersSent) forward(req, body, res, rest, balancer);
    else if (!res.headersSent) res.writeHead(502).end();
    else res.destroy(err);
  });
  upstream.end(body);
}
