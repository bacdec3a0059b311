import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

/**
 * Fastify gives every request a child logger (bound to its request id). With wildcard redaction,
 * pino serializes a child's bindings through the redactor when the child is made: about 15 µs per
 * request at webhook rates, for a logger most requests never write to. This one makes the child on
 * the first line written, so a request that logs nothing costs one small object.
 */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}

class LazyChildLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #log(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#log.level = level;
  }

  readonly fatal: LogFn = (...args: Parameters<LogFn>) => this.#log.fatal(...args);
  readonly error: LogFn = (...args: Parameters<LogFn>) => this.#log.error(...args);
  readonly warn: LogFn = (...args: Parameters<LogFn>) => this.#log.warn(...args);
  readonly info: LogFn = (...args: Parameters<LogFn>) => this.#log.info(...args);
  readonly debug: LogFn = (...args: Parameters<LogFn>) => this.#log.debug(...args);
  readonly trace: LogFn = (...args: Parameters<LogFn>) => this.#log.trace(...args);
  readonly silent: LogFn = (...args: Parameters<LogFn>) => this.#log.silent(...args);

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#log.child(bindings, options);
  }
}
