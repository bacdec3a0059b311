import { z } from 'zod';
import type { CommandResult } from '../command.ts';

const statuses = ['applied', 'duplicate', 'conflict', 'invalid', 'rejected', 'failed'] as const;

/**
 * The data of a `command.result` event, for whoever reads results back (tests, the demo, a
 * sender's consumer). Loose objects: fields may be added within a major version, so a reader keeps
 * what it does not know. docs/schemas/commands/command.result.json describes the same shape.
 */
export const commandResultSchema: z.ZodType<CommandResult> = z.looseObject({
  commandId: z.string().min(1),
  status: z.enum(statuses),
  issue: z.union([
    z.null(),
    z.looseObject({ id: z.string().exactOptional(), key: z.string().exactOptional() }),
  ]),
  jira: z.json(),
  attempts: z.number().int().min(0),
  reason: z.string().exactOptional(),
  get first() {
    return commandResultSchema.exactOptional();
  },
});
