import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isKafkajsNegativeTimeout, logProcessWarnings } from '../../src/process-warnings.ts';
import { captureLog } from '../helpers/log-capture.ts';

function warningFrom(name: string, stack: string): Error {
  const warning = new Error('-1795952400454 is a negative number.');
  warning.name = name;
  warning.stack = `${name}: ${warning.message}\n${stack}`;
  return warning;
}

const kafkajsFrame =
  '    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)';

describe('process warnings', () => {
  it("recognizes kafkajs's negative request-queue timeout and nothing else", () => {
    expect(isKafkajsNegativeTimeout(warningFrom('TimeoutNegativeWarning', kafkajsFrame))).toBe(true);
    expect(
      isKafkajsNegativeTimeout(warningFrom('TimeoutNegativeWarning', '    at ours (/app/src/budget.ts:1:1)')),
    ).toBe(false);
    expect(isKafkajsNegativeTimeout(warningFrom('DeprecationWarning', kafkajsFrame))).toBe(false);
  });

  it('logs every other warning as a structured line and drops the kafkajs one', () => {
    const { lines, log } = captureLog('info');
    const target = new EventEmitter() as unknown as NodeJS.Process;
    target.on('warning', () => lines.push('default printer'));
    logProcessWarnings(log, target);
    target.emit('warning', warningFrom('TimeoutNegativeWarning', kafkajsFrame));
    target.emit('warning', warningFrom('MaxListenersExceededWarning', '    at x (/app/src/y.ts:1:1)'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 40,
      msg: 'process warning: MaxListenersExceededWarning',
    });
  });
});
