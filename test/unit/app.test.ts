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
  it('believes X-Forwarded-For from a private-network proxy by default', async () => {
    expect(await clientIp({}, '10.0.0.7')).toBe('203.0.113.9');
    expect(await clientIp({}, '127.0.0.1')).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from anyone else, so a client cannot claim any address', async () => {
    expect(await clientIp({}, '198.51.100.7')).toBe('198.51.100.7');
    expect(await clientIp({ TRUST_PROXY: '192.0.2.1' }, '10.0.0.7')).toBe('10.0.0.7');
    expect(await clientIp({ TRUST_PROXY: '192.0.2.0/24' }, '192.0.2.1')).toBe('203.0.113.9');
  });
});
