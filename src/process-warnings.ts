import type { Logger } from './logger.ts';

/**
 * Process warnings go to the log as structured lines instead of bare stderr text, except one known
 * false alarm: kafkajs 2.2.4 schedules its request-queue check with `setTimeout(fn, 0 - Date.now())`
 * on Node 24, which warns `TimeoutNegativeWarning` and runs it after 1 ms, as kafkajs meant
 * (tulios/kafkajs#1751, fixed upstream but unreleased). Every other warning is kept.
 */
export function logProcessWarnings(log: Logger, target: NodeJS.Process = process): void {
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error) => {
    if (isKafkajsNegativeTimeout(warning)) return;
    log.warn({ err: warning }, `process warning: ${warning.name}`);
  });
}

export function isKafkajsNegativeTimeout(warning: Error): boolean {
  return warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]src[\\/]/.test(warning.stack ?? '');
}
