import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RoundRobinBalancer } from '../../../helpers/fleet/balancer.ts';
import { freePort } from '../../../helpers/relay-process.ts';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A backend that answers with its name and the body it got. */
async function backend(name: string): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.end(`${name}:${req.method} ${req.url} ${body}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string): Promise<string> {
  return (await fetch(`${url}/webhooks/jira`, { method: 'POST', body: 'hello' })).text();
}

describe('RoundRobinBalancer', () => {
  it('sends each request to the next backend, with its method, path and body, and counts webhooks', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    const balancer = await RoundRobinBalancer.start(() => [a, b]);
    closers.push(() => balancer.close());
    const answers = [await post(balancer.url), await post(balancer.url), await post(balancer.url)];
    expect(answers).toEqual([
      'a:POST /webhooks/jira hello',
      'b:POST /webhooks/jira hello',
      'a:POST /webhooks/jira hello',
    ]);
    expect([...balancer.webhooksAnswered.values()]).toEqual([2, 1]);
  });

  it('skips a backend that refuses the connection, and answers 502 when none is left', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const alive = await backend('alive');
    let backends = [dead, alive];
    const balancer = await RoundRobinBalancer.start(() => backends);
    closers.push(() => balancer.close());
    expect([await post(balancer.url), await post(balancer.url)]).toEqual([
      'alive:POST /webhooks/jira hello',
      'alive:POST /webhooks/jira hello',
    ]);
    backends = [dead];
    expect((await fetch(balancer.url)).status).toBe(502);
  });
});
