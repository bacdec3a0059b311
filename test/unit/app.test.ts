import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { validEnv } from '../helpers/valid-env.ts';

async function clientIp(env: Record<string, string>, remoteAddress: string): Promise<string> {
  const app = await buildApp({
    config: loadConfig(validEnv(env)),
    log: createLogger({ level: 'silent' }),
    readiness: [],
  });
  app.get('/ip', async (request) => ({ ip: request.ip }));
  const response = await app.inject({
    method: 'GET',
    url: '/ip',
    remoteAddress,
    headers: { 'x-forwarded-for': '203.0.113.9' },
  });
  await app.close();
  return (response.json() as { ip: string }).ip;
}

describe('TRUST_PROXY', () => {
  it('believes X-Forwarded-For from loopback only by default', async () => {
    expect(await clientIp({}, '127.0.0.1')).toBe('203.0.113.9');
    expect(await clientIp({}, '::1')).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from anyone else, private networks included, so a client cannot claim any address', async () => {
    expect(await clientIp({}, '10.0.0.7')).toBe('10.0.0.7');
    expect(await clientIp({}, '192.168.1.4')).toBe('192.168.1.4');
    expect(await clientIp({}, '198.51.100.7')).toBe('198.51.100.7');
    expect(await clientIp({ TRUST_PROXY: '192.0.2.1' }, '10.0.0.7')).toBe('10.0.0.7');
    expect(await clientIp({ TRUST_PROXY: '192.0.2.0/24' }, '192.0.2.1')).toBe('203.0.113.9');
    expect(await clientIp({ TRUST_PROXY: 'loopback,uniquelocal' }, '10.0.0.7')).toBe('203.0.113.9');
  });
});

describe('HTTP server limits', () => {
  it('sets the request, connection and keep-alive timeouts and the connection cap from the configuration', async () => {
    const app = await buildApp({
      config: loadConfig(
        validEnv({
          HTTP_REQUEST_TIMEOUT_MS: '4000',
          HTTP_CONNECTION_TIMEOUT_MS: '5000',
          HTTP_KEEP_ALIVE_TIMEOUT_MS: '6000',
          HTTP_MAX_CONNECTIONS: '70',
        }),
      ),
      log: createLogger({ level: 'silent' }),
      readiness: [],
    });
    const server = app.server;
    expect(server.requestTimeout).toBe(4000);
    expect(server.timeout).toBe(5000);
    expect(server.keepAliveTimeout).toBe(6000);
    expect(server.maxConnections).toBe(70);
    expect(server.headersTimeout).toBe(4000);
    await app.close();
  });

  it('has defaults that bound a request: 30 s for it, 60 s idle, 4096 connections', async () => {
    const app = await buildApp({
      config: loadConfig(validEnv()),
      log: createLogger({ level: 'silent' }),
      readiness: [],
    });
    expect(app.server.requestTimeout).toBe(30_000);
    expect(app.server.timeout).toBe(60_000);
    expect(app.server.maxConnections).toBe(4096);
    await app.close();
  });
});
