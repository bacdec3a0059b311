import { Command, type Redis } from 'ioredis';

type Arg = string | number | Buffer;
/** A value in pieces: its bytes are the pieces' UTF-8 bytes, in order. */
export type ValueParts = readonly (string | Buffer)[];

/** How many bytes a value in pieces has. */
export function byteLengthOf(value: ValueParts): number {
  return value.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
}
type Issue = (redis: Redis) => Promise<unknown>;

/** What `exec()` resolves with: per queued command, its error or its reply. */
export type TransactionReplies = [Error | null, unknown][];

/**
 * A MULTI … EXEC that is recorded, then sent as one write: every command is issued in one turn
 * on a corked socket, so Node hands the kernel all of them in a single writev, Buffers as they
 * are. ioredis's own transactions (pipelines) concatenate every command into one new Buffer
 * first, and with ~85 KB batches those copies made V8 run full collections for the external
 * memory alone.
 *
 * Meant for a connection of its own whose `autoResendUnfulfilledCommands` is off: a connection
 * lost mid-transaction then fails every command, and Redis drops the unexecuted MULTI, instead of
 * ioredis replaying the commands after the MULTI outside of it.
 *
 * It also speaks the part of BullMQ's transaction interface that its add scripts use (`runCommand`
 * and the field-map `hset`), so `addJobToTransaction` can queue a job on it.
 */
export class CorkedTransaction {
  readonly #redis: Redis;
  readonly #commands: Issue[] = [];
  /** Why the transaction cannot be sent (a command that could not be queued); exec() throws it. */
  #unsendable: Error | undefined;
  #sent = false;

  readonly #onRefused: (() => void) | undefined;

  /** `onRefused`: called when the transaction is refused or its connection fails. */
  constructor(redis: Redis, onRefused?: () => void) {
    this.#redis = redis;
    this.#onRefused = onRefused;
  }

  /** Queues `name args…`; returns where its reply will be in `exec()`'s list. */
  command(name: string, ...args: Arg[]): number {
    this.#commands.push((redis) => redis.call(name, ...args));
    return this.#commands.length - 1;
  }

  /** BullMQ: a script command the connection defines (`defineCommand`), with its argument list. */
  runCommand(name: string, args: Arg[]): this {
    const script = (this.#redis as unknown as Record<string, ((a: Arg[]) => Promise<unknown>) | undefined>)[
      name
    ];
    if (typeof script !== 'function') {
      this.#unsendable ??= new Error(`script ${name} is not defined on this connection`);
      return this;
    }
    this.#commands.push((redis) => script.call(redis, args));
    return this;
  }

  /** BullMQ: HSET from a field map. */
  hset(key: string, fields: Readonly<Record<string, Arg>>): this {
    this.command('hset', key, ...Object.entries(fields).flat());
    return this;
  }

  /**
   * HSET key field value, the value given in pieces that go to the socket as they are: never
   * joined into one Buffer, here or by ioredis (which copies a command's Buffer arguments into one).
   */
  hsetParts(key: string, field: string, value: ValueParts, size = byteLengthOf(value)): number {
    this.#commands.push((redis) => {
      const command = new PartsHsetCommand(key, field, value, size);
      redis.sendCommand(command);
      return command.promise;
    });
    return this.#commands.length - 1;
  }

  /** Where the next queued command's reply will be. */
  get length(): number {
    return this.#commands.length;
  }

  /** Sends it all at once; rejects when Redis refused the transaction (then nothing of it ran). */
  async exec(): Promise<TransactionReplies> {
    // Each command's own reply is QUEUED, or the error that made Redis refuse the EXEC (EXECABORT
    // says it), so they are not awaited: what counts comes with EXEC.
    const replies = await this.#send().catch((err: unknown) => {
      this.#onRefused?.();
      throw err;
    });
    if (!Array.isArray(replies)) throw new Error('transaction aborted');
    const results = replies.map((reply): [Error | null, unknown] =>
      reply instanceof Error ? [reply, null] : [null, reply],
    );
    if (results.some(([err]) => err?.message.startsWith('NOSCRIPT'))) await reloadScripts(this.#redis);
    return results;
  }

  /**
   * Issues MULTI, the commands and EXEC in one turn on the corked socket; the EXEC's reply to come.
   * Sent once, and in a function of its own: the recorded commands hold the values they write
   * (delivery bodies), and nothing of them may stay reachable from exec() while it awaits the
   * replies (PartsHsetCommand says why).
   */
  #send(): Promise<unknown> {
    if (this.#unsendable) throw this.#unsendable;
    if (this.#sent) throw new Error('transaction already sent');
    this.#sent = true;
    const commands = this.#commands.splice(0);
    const redis = this.#redis;
    const socket = (redis as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
    socket?.cork();
    const queued: Promise<unknown>[] = [];
    try {
      queued.push(redis.call('multi'));
      for (const issue of commands) queued.push(issue(redis));
      return redis.call('exec');
    } catch (err) {
      // Never leave the connection inside a MULTI that the next transaction would join.
      if (queued.length > 0) queued.push(redis.call('discard'));
      throw err;
    } finally {
      socket?.uncork();
      for (const reply of queued) reply.catch(() => undefined);
    }
  }
}

/**
 * ioredis sends a script's text once per socket, then only its hash, and forgets that the socket
 * has it only when the command itself is answered NOSCRIPT. Inside MULTI it is answered QUEUED; the
 * NOSCRIPT comes with EXEC, where ioredis does not look. So after Redis lost its scripts (SCRIPT
 * FLUSH) every transaction on the connection would fail until it reconnected. Loading the
 * connection's scripts again at the first such failure ends it there. Best effort: a load that
 * fails leaves the next failure to try again.
 */
async function reloadScripts(redis: Redis): Promise<void> {
  const scripts = Object.values(redis.scriptsSet as Record<string, { lua: string }>);
  await Promise.all(scripts.map((script) => redis.script('LOAD', script.lua))).catch(() => undefined);
}

/**
 * ioredis writes a command as `socket.write(command.toWritable(socket))`, right when it is sent.
 * This one writes its head and the value's pieces itself, then hands back the closing CRLF: on a
 * corked socket all of it joins the same writev, in order, without a copy of the value.
 *
 * It lets go of the pieces once they are written, though the command itself lives until Redis
 * answers. Held until then, they kept V8's pretenuring busy: it started allocating the arrays of
 * pieces straight in the old generation, and an old object that points at a young body keeps that
 * body alive through every scavenge. Every delivery's body was then promoted (6.5 MB per scavenge
 * at 1,000 deliveries/s), scavenges took about 20 ms and mark-compactions 40 to 70 ms, which made
 * most of the intake's tail latency.
 */
class PartsHsetCommand extends Command {
  readonly #head: string;
  #value: ValueParts | undefined;

  constructor(key: string, field: string, value: ValueParts, size: number) {
    super('hset', [key, field]);
    this.#head = `*4\r\n$4\r\nhset\r\n${bulk(key)}${bulk(field)}$${size}\r\n`;
    this.#value = value;
  }

  /** Called once, when ioredis sends the command (the writer connection never re-sends one). */
  override toWritable(socket: object): string {
    const value = this.#value;
    // Its head announces the value's size: without the value it must not go out at all.
    if (value === undefined) throw new Error('HSET value already written');
    this.#value = undefined;
    const out = socket as { write(chunk: string | Buffer): unknown };
    out.write(this.#head);
    for (const part of value) if (part.length > 0) out.write(part);
    return '\r\n';
  }
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}
