import { describe, expect, it } from 'vitest';
import { captureLog } from '../helpers/log-capture.ts';

function capture() {
  return captureLog('info');
}

describe('logger', () => {
  it('redacts authorization headers, tokens and secrets wherever they appear', () => {
    const { lines, log } = capture();
    log.info(
      {
        req: { headers: { authorization: 'Bearer eyJ-secret-jwt', cookie: 'admin=cookie-secret' } },
        grant: { access_token: 'at-secret', refresh_token: 'rt-secret', accessToken: 'at2-secret' },
        client_secret: 'cs-secret',
        config: { ADMIN_TOKEN: 'admin-secret', TOKEN_ENCRYPTION_KEY: 'key-secret', PORT: 3000 },
      },
      'hello',
    );
    const line = lines.join('');
    for (const secret of [
      'eyJ-secret-jwt',
      'cookie-secret',
      'at-secret',
      'rt-secret',
      'at2-secret',
      'cs-secret',
      'admin-secret',
      'key-secret',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(line)).toMatchObject({ msg: 'hello', config: { PORT: 3000 }, service: 'jira-relay' });
  });

  it('writes errors as err with their stack', () => {
    const { lines, log } = capture();
    log.error({ err: new Error('boom') }, 'failed');
    expect(JSON.parse(lines.join(''))).toMatchObject({ err: { message: 'boom', type: 'Error' } });
  });

  it('honours the level', () => {
    const { lines, log } = capture();
    log.debug('hidden');
    expect(lines).toHaveLength(0);
  });
});
