import { type logCreator, logLevel } from 'kafkajs';
import type { Logger } from '../logger.ts';

const levels: Readonly<Record<number, 'error' | 'warn' | 'info' | 'debug'>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs's log lines into pino, as `{ kafka: { namespace, ... } }` children of the given logger. */
export function pinoLogCreator(log: Logger): logCreator {
  const kafkaLog = log.child({ component: 'kafka' });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...rest } = entry;
      kafkaLog[levels[level] ?? 'info']({ namespace, ...rest }, message);
    };
}

/** The kafkajs level that lets through what the pino logger would print. */
export function kafkaLogLevel(log: Logger): logLevel {
  switch (log.level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'silent':
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}
