import net from 'node:net';

/**
 * Whether something accepts a TCP connection at `host:port` within `timeoutMs`: how the demo, the
 * test setup and the benchmarks check for Redis and Kafka before they start.
 */
export function answers(hostPort: string, timeoutMs = 1500): Promise<boolean> {
  const colon = hostPort.lastIndexOf(':');
  const host = colon > 0 ? hostPort.slice(0, colon) : '127.0.0.1';
  const port = Number(hostPort.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(timeoutMs, () => done(false));
  });
}
