import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

type LogArgs = Parameters<LogFn>;

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

  // Methods, not arrow-function fields: a request's logger then costs one object, not eight.
  fatal(...args: LogArgs): void {
    this.#log.fatal(...args);
  }

  error(...args: LogArgs): void {
    this.#log.error(...args);
  }

  warn(...args: LogArgs): void {
    this.#log.warn(...args);
  }

  info(...args: LogArgs): void {
    this.#log.info(...args);
  }

  debug(...args: LogArgs): void {
    this.#log.debug(...args);
  }

  trace(...args: LogArgs): void {
    this.#log.trace(...args);
  }

  silent(...args: LogArgs): void {
    this.#log.silent(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#log.child(bindings, options);
  }
}
