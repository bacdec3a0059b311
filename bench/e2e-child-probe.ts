/**
 * Preloaded into the benchmark's child processes (`node --import ./bench/e2e-child-probe.ts`), it
 * answers the parent over IPC:
 * - `{ benchTrace: 'start' | 'stop' }`: times every Redis command the process sends, from ioredis's
 *   own `ioredis:command` tracing channel, and answers counts and round-trip times per command (a
 *   script by the name it was defined under). Off, it costs nothing: ioredis builds no trace
 *   context while nobody subscribes. The only change it makes to the process is remembering, when
 *   a script is defined, which name its SHA-1 belongs to.
 * - `{ benchHeapSnapshot: <file> }`: writes a heap snapshot there and answers when it is written.
 * - `{ benchHeapSpaces: true }`: answers V8's heap spaces (size committed, used), in bytes.
 *   Not `--heapsnapshot-signal=SIGUSR2`: close-with-grace, which the relay uses, takes SIGUSR2 as a
 *   signal to shut down.
 */
import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { Redis } from 'ioredis';
import { type CommandTimes, summariseCommandTimes } from './e2e-redis-times.ts';

const scriptNames = new Map<string, string>();
const define = Redis.prototype.defineCommand;
Redis.prototype.defineCommand = function (this: Redis, name, definition) {
  // BullMQ names its scripts `<name>:<version>`.
  scriptNames.set(createHash('sha1').update(definition.lua).digest('hex'), name.split(':')[0] ?? name);
  return define.call(this, name, definition);
};

interface TraceContext {
  readonly command: string;
  readonly args: readonly string[];
  benchStart?: number;
}

const channel = diagnostics.tracingChannel<string, TraceContext>('ioredis:command');
let samples = new Map<string, number[]>();

const handlers = {
  start(context: TraceContext) {
    context.benchStart = performance.now();
  },
  asyncEnd(context: TraceContext) {
    if (context.benchStart === undefined) return;
    const name =
      context.command === 'evalsha' ? (scriptNames.get(context.args[0] ?? '') ?? 'evalsha') : context.command;
    let list = samples.get(name);
    if (!list) {
      list = [];
      samples.set(name, list);
    }
    list.push(performance.now() - context.benchStart);
  },
  end() {},
  asyncStart() {},
  error() {},
};

if (process.send) {
  process.on(
    'message',
    (message: { benchTrace?: 'start' | 'stop'; benchHeapSnapshot?: string; benchHeapSpaces?: true }) => {
      if (message.benchTrace === 'start') {
        samples = new Map();
        channel.subscribe(handlers);
      } else if (message.benchTrace === 'stop') {
        channel.unsubscribe(handlers);
        const times: CommandTimes = summariseCommandTimes(samples);
        process.send?.({ benchTraceReport: times });
      } else if (message.benchHeapSpaces) {
        const spaces = getHeapSpaceStatistics().map((s) => ({
          space: s.space_name,
          size: s.space_size,
          used: s.space_used_size,
        }));
        process.send?.({ benchHeapSpacesAre: spaces });
      } else if (message.benchHeapSnapshot !== undefined) {
        process.send?.({ benchHeapSnapshotWritten: writeHeapSnapshot(message.benchHeapSnapshot) });
      }
    },
  );
  // The channel must not keep a process alive that would otherwise end.
  process.channel?.unref();
}
