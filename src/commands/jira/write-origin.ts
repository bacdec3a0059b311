import { z } from 'zod';

/** The command a write applies: its idempotency key (`ce_id`) and the system that sent it (`ce_source`). */
export interface WriteOrigin {
  readonly commandId: string;
  readonly source: string;
}

/** The issue and comment property every write of the relay carries (loop prevention, lost-answer lookups). */
export const ORIGIN_PROPERTY_KEY = 'jira-relay.origin';

/** `properties` of a create, edit, transition or comment body: the origin marker, set in the same request. */
export function originProperties(origin: WriteOrigin): [{ key: string; value: WriteOrigin }] {
  return [{ key: ORIGIN_PROPERTY_KEY, value: { commandId: origin.commandId, source: origin.source } }];
}

/**
 * `historyMetadata` of an issue write, stored on the changelog entry it makes. Only keys of the
 * OpenAPI `HistoryMetadata` (type, description, generator, cause, extraData); `extraData` values
 * must be strings there.
 */
export function originHistoryMetadata(origin: WriteOrigin): Record<string, unknown> {
  return {
    type: 'jira-relay:command',
    description: 'Applied by jira-relay',
    generator: { id: 'jira-relay', type: 'jira-relay' },
    cause: { id: origin.commandId, type: 'command' },
    extraData: { commandId: origin.commandId, source: origin.source },
  };
}

const originValue = z.object({ commandId: z.string(), source: z.string() });

/** The command id in a `jira-relay.origin` property value, or undefined when it is not the relay's marker. */
export function originCommandId(value: unknown): string | undefined {
  const parsed = originValue.safeParse(value);
  return parsed.success ? parsed.data.commandId : undefined;
}
