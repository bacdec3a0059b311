import type { Redis } from 'ioredis';

/** What one measured piece of work cost. */
export interface Metered<T> {
  readonly value: T;
  readonly wallMs: number;
  /** User + system CPU of this process (the simulation runs nothing else meanwhile). */
  readonly cpuMs: number;
  /** Redis commands sent (each command of a pipeline counts). */
  readonly commands: number;
  /**
   * Sends that began after the client had gone idle for an event-loop turn: about the round trips
   * waited for one after the other. Commands sent together (Promise.all, a pipeline) count once.
   */
  readonly roundTrips: number;
}

/**
 * Counts what goes to Redis over one ioredis connection while a piece of work runs alone: the
 * connection's `sendCommand` (which pipelines also go through) is wrapped once, counting only
 * inside `measure`.
 */
export class RedisMeter {
  #counting = false;
  #commands = 0;
  #roundTrips = 0;
  #idle = true;

  constructor(redis: Redis) {
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
      if (this.#counting) this.#count();
      return send(...args);
    }) as Redis['sendCommand'];
  }

  async measure<T>(work: () => Promise<T>): Promise<Metered<T>> {
    this.#commands = 0;
    this.#roundTrips = 0;
    this.#counting = true;
    const cpu = process.cpuUsage();
    const started = performance.now();
    try {
      const value = await work();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return {
        value,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        commands: this.#commands,
        roundTrips: this.#roundTrips,
      };
    } finally {
      this.#counting = false;
    }
  }

  #count(): void {
    this.#commands++;
    if (!this.#idle) return;
    this.#roundTrips++;
    this.#idle = false;
    setImmediate(() => {
      this.#idle = true;
    });
  }
}
