import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { uniqueName } from '../../helpers/services.ts';

/**
 * A broker of a test's own (test/infra/kafka.sh), on free ports of its own, so stopping it disturbs
 * no other test. Its data dir is kept across a restart (KAFKA_FRESH=0), as a real broker's disk
 * would be.
 */
export interface OwnBroker {
  readonly brokers: string[];
  /** `fresh`: wipe the data dir first (the first start); false keeps topics and offsets. */
  start(fresh?: boolean): Promise<void>;
  stop(): Promise<void>;
  /** Stops it if running and deletes its data dir. */
  remove(): Promise<void>;
}

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'test/infra/kafka.sh');

const has = (command: string) =>
  run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );

/** The script needs Java, and the broker jars (fetched once by Maven) or Maven to fetch them. */
export const canRunBroker =
  (await has('java')) &&
  (existsSync(path.join(root, '.kafka-local/libs/.kafka-version')) || (await has('mvn')));

/** Whether nothing listens on the port now. */
async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

/**
 * Two free ports from 19192 up, outside the ephemeral range so no outgoing connection takes them
 * while the broker is down; another run restarting its own broker at the same time moves on.
 */
async function freePortPair(): Promise<[number, number]> {
  for (let port = 19192; port < 19392; port += 2) {
    if ((await isFree(port)) && (await isFree(port + 1))) return [port, port + 1];
  }
  throw new Error('no free port pair in 19192-19391');
}

export async function ownBroker(name: string): Promise<OwnBroker> {
  const dir = path.join(root, '.kafka-local', uniqueName(name));
  const [port, controllerPort] = await freePortPair();
  const env = {
    ...process.env,
    KAFKA_LOCAL_DIR: dir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
  };
  const broker = (command: 'start' | 'stop', fresh = true) =>
    run('bash', [script, command], {
      cwd: root,
      env: { ...env, KAFKA_FRESH: fresh ? '1' : '0' },
      timeout: 240_000,
    });
  return {
    brokers: [`127.0.0.1:${port}`],
    start: async (fresh = true) => void (await broker('start', fresh)),
    stop: async () => void (await broker('stop')),
    remove: async () => {
      await broker('stop').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
