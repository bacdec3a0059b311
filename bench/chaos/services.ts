import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { killHard, runToEnd, type Started, spawnLogged, stopGracefully, waitUntil } from './processes.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Sends PING; true on +PONG (false while Redis is down or still loading its AOF). */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/**
 * The run's own redis-server: AOF with `appendfsync everysec` and `noeviction`, as production runs
 * it, in a data dir of its own, so a kill -9 and a restart on the same port and dir is a crash.
 */
export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #logFile: string;
  #process: Started | undefined;

  constructor(port: number, runDir: string) {
    this.port = port;
    this.#dir = path.join(runDir, 'redis');
    this.#logFile = path.join(runDir, 'logs', 'redis.log');
    mkdirSync(this.#dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.child.pid;
  }

  async start(): Promise<void> {
    const args = [
      ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir],
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'],
      ...['--save', '', '--daemonize', 'no', '--logfile', ''],
    ];
    const started = spawnLogged('redis', 'redis-server', args, {
      cwd: this.#dir,
      env: process.env,
      logFile: this.#logFile,
    });
    this.#process = started;
    await waitUntil('redis ready', () => redisAnswers(this.port), {
      timeoutMs: 60_000,
      abort: () => (started.child.exitCode === null ? undefined : `exited (${this.#logFile})`),
    });
  }

  /** kill -9: what was not yet fsynced to the AOF (up to about a second) is gone. */
  async crash(): Promise<void> {
    if (this.#process) await killHard(this.#process);
  }

  async stop(): Promise<void> {
    if (this.#process) await stopGracefully(this.#process);
  }
}

/**
 * The run's own Kafka broker, through test/infra/kafka.sh with a dir and ports of its own (the jars
 * are shared). A restart keeps the data (KAFKA_FRESH=0), as a broker restart in production does.
 */
export class KafkaBroker {
  readonly port: number;
  readonly #controllerPort: number;
  readonly #dir: string;
  readonly #logFile: string;

  constructor(ports: { port: number; controllerPort: number }, runDir: string) {
    this.port = ports.port;
    this.#controllerPort = ports.controllerPort;
    this.#dir = path.join(runDir, 'kafka');
    this.#logFile = path.join(runDir, 'logs', 'kafka-sh.log');
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Where the broker's own log is (server.out). */
  get logDir(): string {
    return path.join(this.#dir, 'logs');
  }

  get pid(): number | undefined {
    const file = path.join(this.#dir, 'kafka.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  start(fresh = true): Promise<void> {
    return this.#run('start', fresh);
  }

  stop(): Promise<void> {
    return this.#run('stop', false);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start(false);
  }

  async #run(command: 'start' | 'stop', fresh: boolean): Promise<void> {
    const code = await runToEnd('bash', [path.join(root, 'test/infra/kafka.sh'), command], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_LOCAL_DIR: this.#dir,
        KAFKA_LIBS_DIR: process.env.KAFKA_LIBS_DIR || path.join(root, '.kafka-local/libs'),
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.#controllerPort),
        KAFKA_FRESH: fresh ? '1' : '0',
        KAFKA_LOG_LEVEL: process.env.KAFKA_LOG_LEVEL || 'WARN',
      },
      logFile: this.#logFile,
    });
    if (code !== 0) throw new Error(`kafka.sh ${command} failed (${code}); see ${this.#logFile}`);
  }
}
