import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel, pinoLogCreator } from '../../../src/kafka/kafka-logger.ts';
import { captureLog } from '../../helpers/log-capture.ts';

function capture(level = 'debug') {
  return captureLog(level);
}

describe('kafkajs logs in pino', () => {
  it('writes kafkajs entries as pino lines with level, namespace, message and fields', () => {
    const { records, log } = capture();
    const write = pinoLogCreator(log)(logLevel.INFO);
    const entry = (level: logLevel, message: string, extra = {}) =>
      write({
        namespace: 'Producer',
        level,
        label: 'X',
        log: { timestamp: 'now', logger: 'kafkajs', message, ...extra },
      });
    entry(logLevel.ERROR, 'failed', { broker: '127.0.0.1:9092', retryCount: 2 });
    entry(logLevel.WARN, 'slow');
    entry(logLevel.INFO, 'connected');
    entry(logLevel.DEBUG, 'request');
    const lines = records();
    expect(lines.map((l) => [l.level, l.msg, l.namespace, l.component])).toEqual([
      [50, 'failed', 'Producer', 'kafka'],
      [40, 'slow', 'Producer', 'kafka'],
      [30, 'connected', 'Producer', 'kafka'],
      [20, 'request', 'Producer', 'kafka'],
    ]);
    expect(lines[0]).toMatchObject({ broker: '127.0.0.1:9092', retryCount: 2 });
    expect(lines[0]).not.toHaveProperty('logger');
  });

  it('asks kafkajs for no more than pino will print', () => {
    expect(kafkaLogLevel(capture('trace').log)).toBe(logLevel.DEBUG);
    expect(kafkaLogLevel(capture('debug').log)).toBe(logLevel.DEBUG);
    expect(kafkaLogLevel(capture('info').log)).toBe(logLevel.INFO);
    expect(kafkaLogLevel(capture('warn').log)).toBe(logLevel.WARN);
    expect(kafkaLogLevel(capture('error').log)).toBe(logLevel.ERROR);
    expect(kafkaLogLevel(capture('silent').log)).toBe(logLevel.NOTHING);
  });
});
