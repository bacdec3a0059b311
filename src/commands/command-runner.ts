import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingMessage } from '../kafka/cloud-event-message.ts';
import type { IncomingCommand } from '../kafka/command-consumer.ts';
import type { DeadLetter } from '../kafka/event-publisher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Command, CommandResult } from './command.ts';
import type { MessageRef, RecentCommand, RedisCommandStore } from './command-store.ts';
import { parseCommandMessage } from './contract/parse-command.ts';
import { commandResultMessage, resultEventId, resultIssueOf } from './contract/result-message.ts';

/** What applying a command to Jira came to; `retry` asks for another attempt after a pause. */
export type ApplyOutcome =
  | { readonly kind: 'result'; readonly result: Omit<CommandResult, 'commandId' | 'attempts'> }
  | { readonly kind: 'retry'; readonly reason: string; readonly delayMs?: number };

/** Applies one command to Jira: `priorAttempts` > 0 means an earlier attempt may have written. */
export type ApplyCommand = (command: Command, priorAttempts: number) => Promise<ApplyOutcome>;

export interface CommandRunnerDeps {
  readonly store: RedisCommandStore;
  readonly apply: ApplyCommand;
  readonly publishResult: (message: OutgoingMessage) => Promise<void>;
  /** A command that kept failing for passing reasons goes here too, with the command as input. */
  readonly deadLetter: (letter: DeadLetter) => Promise<void>;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now?: () => number;
  /** COMMAND_MAX_ATTEMPTS, COMMAND_RETRY_BASE_MS, COMMAND_RETRY_MAX_MS. */
  readonly retry: { readonly maxAttempts: number; readonly baseMs: number; readonly maxMs: number };
}

/**
 * One command message from parse to published result: every message gets exactly one result event
 * (a redelivery re-publishes the same one, under the same id). Invalid ones are answered at once; a
 * command seen before gets its first result again as `duplicate`, never a second write; the rest are
 * applied, with passing Jira failures retried with backoff up to COMMAND_MAX_ATTEMPTS.
 * Throws only when the result cannot be recorded or published now: the consumer tries again.
 */
export function createCommandRunner(deps: CommandRunnerDeps) {
  const now = deps.now ?? Date.now;

  async function answer(
    command: Pick<Command, 'id' | 'siteHost' | 'key' | 'source'> | null,
    result: CommandResult,
    resultId: string,
    type: string,
  ) {
    const message = commandResultMessage({
      command: command ?? { id: result.commandId },
      result,
      resultId,
      time: new Date(now()),
    });
    await deps.publishResult(message);
    deps.metrics.commandsTotal.inc({ type, status: result.status });
  }

  /** Attempts are counted in Redis before each one, so a command resumed after a crash keeps counting. */
  async function applyWithRetries(command: Command): Promise<CommandResult> {
    for (;;) {
      const made = await deps.store.attempt(command.source, command.id);
      const outcome = await deps.apply(command, made);
      if (outcome.kind === 'result') return { ...outcome.result, commandId: command.id, attempts: made + 1 };
      if (made + 1 >= deps.retry.maxAttempts) {
        const reason = `gave up after ${made + 1} attempts: ${outcome.reason}`;
        await deps.deadLetter({
          queue: 'commands',
          key: command.key,
          input: command,
          error: { code: 'COMMAND_FAILED', message: reason, retryable: true },
          attempts: made + 1,
          failedAt: now(),
        });
        return {
          commandId: command.id,
          status: 'failed',
          issue: null,
          jira: null,
          attempts: made + 1,
          reason,
        };
      }
      const backoff = Math.min(deps.retry.maxMs, deps.retry.baseMs * 2 ** Math.min(made, 10));
      deps.log.warn(
        { commandId: command.id, attempt: made + 1, reason: outcome.reason },
        'command will be tried again',
      );
      await sleep(Math.max(backoff, outcome.delayMs ?? 0));
    }
  }

  return async function run(message: IncomingCommand): Promise<void> {
    const ref: MessageRef = `${message.topic}:${message.partition}:${message.offset}`;
    const parsed = parseCommandMessage(message);
    if (!parsed.ok) {
      const commandId = parsed.commandId ?? `unidentified:${ref}`;
      const result: CommandResult = {
        commandId,
        status: 'invalid',
        issue: resultIssueOf(parsed.issue),
        jira: null,
        attempts: 0,
        reason: parsed.reason,
      };
      deps.log.info({ commandId, field: parsed.field, reason: parsed.reason }, 'invalid command');
      if (parsed.siteHost)
        await deps.store.listRecent(parsed.siteHost, recentLine(result, 'unknown', '', now()));
      const key = message.key ?? `unknown:${commandId}`;
      await answer(
        { id: commandId, siteHost: parsed.siteHost ?? '', key, source: '' },
        result,
        resultEventId(commandId, `invalid:${ref}`),
        'unknown',
      );
      return;
    }
    const { command } = parsed;
    const start = await deps.store.begin(command.source, command.id, ref, now());
    if (start.kind === 'done') {
      if (start.firstRef === ref) {
        await answer(command, start.result, resultEventId(command.id, 'first'), command.data.type);
        return;
      }
      const duplicate: CommandResult = {
        ...start.result,
        status: 'duplicate',
        attempts: 0,
        first: start.result,
      };
      await deps.store.listRecent(
        command.siteHost,
        recentLine(duplicate, command.data.type, command.source, now()),
      );
      await answer(command, duplicate, resultEventId(command.id, `duplicate:${ref}`), command.data.type);
      return;
    }
    const result = await applyWithRetries(command);
    const line = recentLine(result, command.data.type, command.source, now());
    await deps.store.finish(command.source, command.siteHost, line, result);
    await answer(command, result, resultEventId(command.id, 'first'), command.data.type);
    deps.metrics.commandLatencySeconds.observe(
      { type: command.data.type },
      Math.max(0, now() - (command.time ?? now())) / 1000,
    );
  };
}

function recentLine(
  result: CommandResult,
  type: RecentCommand['type'],
  source: string,
  at: number,
): RecentCommand {
  return {
    commandId: result.commandId,
    type,
    source,
    status: result.status,
    issue: result.issue,
    ...(result.reason ? { reason: result.reason } : {}),
    at,
  };
}
