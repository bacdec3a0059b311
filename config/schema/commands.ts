import { z } from 'zod';
import { integer } from './env-types.ts';
import { envVar } from './env-var.ts';

/** Two-way sync: commands from Kafka applied to Jira (DESIGN.md, "Two-way sync (contract)"). */
export const commandVars = {
  COMMANDS_ENABLED: envVar(
    z.stringbool().default(true),
    'Whether worker processes consume commands (`false`: the relay only reads Jira).',
  ),
  KAFKA_COMMANDS_TOPIC: envVar(z.string().min(1).default('jira.commands'), 'Topic the commands arrive on.'),
  KAFKA_COMMANDS_GROUP: envVar(
    z.string().min(1).default('jira-relay-commands'),
    'Consumer group of the command consumers; every worker process joins it.',
  ),
  KAFKA_COMMAND_RESULTS_TOPIC: envVar(
    z.string().min(1).default('jira.command.results'),
    'Topic of the `command.result` events, one per command received.',
  ),
  COMMAND_CONCURRENCY: envVar(
    integer(1).default(8),
    'Commands applied at once per worker process (commands of one key always one after another).',
  ),
  COMMAND_MAX_ATTEMPTS: envVar(
    integer(1).default(5),
    'Attempts at a command whose Jira call failed for a passing reason (5xx, timeout, 429) before it is `failed` and dead-lettered.',
  ),
  COMMAND_RETRY_BASE_MS: envVar(
    integer(1).default(1000),
    'First pause before a command is attempted again (doubles).',
  ),
  COMMAND_RETRY_MAX_MS: envVar(integer(1).default(30_000), 'Longest pause between attempts at a command.'),
  COMMAND_RESULT_TTL_SECONDS: envVar(
    integer(60).default(7 * 24 * 3600),
    'How long a command id is remembered: a repeat within it gets the first result, never a second write.',
  ),
  COMMAND_RECENT_PER_SITE: envVar(
    integer(1).default(500),
    'Recent commands and results kept per site for the admin API.',
  ),
  COMMAND_CREATE_LOOKBACK_MINUTES: envVar(
    integer(1).default(30),
    'How far back a create whose outcome is unknown searches for the issue it may have made.',
  ),
  ECHO_PENDING_TTL_SECONDS: envVar(
    integer(10).default(3600),
    'How long a write made for a command waits for its change to come back (webhook or poll) to be recognised as an echo.',
  ),
} as const;
