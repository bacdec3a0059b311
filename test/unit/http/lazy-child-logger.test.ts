import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from '../../../src/http/lazy-child-logger.ts';
import { captureLog } from '../../helpers/log-capture.ts';

function capture() {
  const { lines, log } = captureLog('info');
  let children = 0;
  const child = log.child.bind(log);
  log.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof log.child;
  return { lines, log, children: () => children };
}

describe('lazyChildLogger', () => {
  it('makes the child only when a line is written, with its bindings and the redaction', () => {
    const { lines, log, children } = capture();
    const lazy = lazyChildLogger(log as FastifyBaseLogger, { reqId: 'req-7' }, {});
    expect(lazy.level).toBe('info');
    expect(children()).toBe(0);
    lazy.warn({ token: 'tok-secret', site: 'acme' }, 'not queued');
    lazy.info('again');
    expect(children()).toBe(1);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ reqId: 'req-7', token: '[redacted]', site: 'acme', msg: 'not queued' });
    expect(second).toMatchObject({ reqId: 'req-7', msg: 'again' });
    expect(lines.join('')).not.toContain('tok-secret');
  });

  it('serves as Fastify request logger: a quiet request makes no child, a logging one is bound to its id', async () => {
    const { lines, log, children } = capture();
    const app = Fastify({
      loggerInstance: log as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: lazyChildLogger,
    });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (request) => {
      request.log.warn({ secret: 's3cr3t' }, 'something to say');
      return { ok: true };
    });
    await app.ready();
    const atReady = children();
    const quiet = await app.inject({ method: 'GET', url: '/quiet' });
    expect(quiet.statusCode).toBe(200);
    expect(children()).toBe(atReady);
    const before = children();
    const loud = await app.inject({ method: 'GET', url: '/loud' });
    expect(loud.statusCode).toBe(200);
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'something to say');
    expect(line).toMatchObject({ reqId: expect.any(String), secret: '[redacted]' });
    expect(children() - before).toBe(1);
    await app.close();
  });
});
