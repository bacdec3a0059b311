import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.ts';

/** A stream that keeps every line written to it, as text. */
export function lineCollector(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

/** A root logger as the relay builds it (redaction included) whose lines the test can read. */
export function captureLog(level = 'info'): {
  readonly log: Logger;
  readonly lines: string[];
  records(): Record<string, unknown>[];
} {
  const lines: string[] = [];
  return {
    log: createLogger({ level, destination: lineCollector(lines) }),
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
