import { describe, expect, it } from 'vitest';
import { commandTypes } from '../../../../src/commands/command.ts';
import { type CommandMessage, parseCommandMessage } from '../../../../src/commands/contract/parse-command.ts';
import { mutate } from '../../../helpers/fuzz-mutate.ts';
import { prng } from '../../../helpers/prng.ts';
import { commandMessage, validHeaders } from './command-message.ts';
import { commandSamples } from './command-samples.ts';

const headerNames = [
  ...Object.keys(validHeaders),
  'CE_ID',
  'ce_subject',
  'x-other',
  '__proto__',
  'constructor',
];

function randomBytes(rand: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256)));
}

function randomHeaderValue(rand: () => number, valid: string | undefined): unknown {
  const r = rand();
  if (r < 0.4 && valid !== undefined) return rand() < 0.5 ? valid : Buffer.from(valid);
  if (r < 0.55) return randomBytes(rand, 40);
  if (r < 0.65) return [valid ?? 'a', randomBytes(rand, 8)];
  if (r < 0.75) return undefined;
  if (r < 0.8) return null;
  if (r < 0.85) return 42;
  return mutate(valid ?? 'x', rand);
}

/** A message that is mostly valid, with a few parts broken in random ways. */
function randomMessage(rand: () => number): CommandMessage {
  const type = commandTypes[Math.floor(rand() * commandTypes.length)] ?? 'jira.issue.transition';
  const samples = commandSamples[type].valid;
  const sample = samples[Math.floor(rand() * samples.length)];
  const base = commandMessage({ type, data: sample });
  const headers: Record<string, unknown> = { ...base.headers };
  for (const name of headerNames) {
    if (rand() < 0.12)
      headers[name] = randomHeaderValue(
        rand,
        Object.hasOwn(validHeaders, name) ? validHeaders[name] : undefined,
      );
  }
  const valueRoll = rand();
  const value =
    valueRoll < 0.6
      ? base.value
      : valueRoll < 0.85
        ? JSON.stringify(mutate(sample, rand))
        : valueRoll < 0.95
          ? randomBytes(rand, 200)
          : null;
  const key = rand() < 0.9 ? base.key : rand() < 0.5 ? randomBytes(rand, 30) : null;
  // The fuzz breaks the declared types on purpose: kafkajs is not the only possible caller.
  return { key, value, headers } as unknown as CommandMessage;
}

describe('parseCommandMessage under random input', () => {
  it('never throws, and every answer is a command or one line naming a field', () => {
    const rand = prng(20240301);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const message = randomMessage(rand);
      const parsed = parseCommandMessage(message);
      if (parsed.ok) {
        accepted++;
        expect(commandTypes).toContain(parsed.command.data.type);
        continue;
      }
      expect(parsed.field).toMatch(/^[a-z]/i);
      expect(parsed.reason.startsWith(`${parsed.field}: `)).toBe(true);
      expect(parsed.reason).not.toMatch(/[\r\n]/);
      expect(parsed.reason).not.toContain('could not be read');
    }
    // The mix must exercise both sides, or this test proves little.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(4500);
  });

  it('never throws on messages that are not messages at all', () => {
    const odd: unknown[] = [
      { key: null, value: null, headers: {} },
      { key: null, value: null, headers: null },
      { key: 1, value: 2, headers: 3 },
      { key: null, value: Buffer.alloc(0), headers: { ce_id: [] } },
      { key: null, value: '{"__proto__":{"x":1}}', headers: Object.create(null) },
    ];
    for (const message of odd) {
      const parsed = parseCommandMessage(message as CommandMessage);
      expect(parsed.ok).toBe(false);
    }
  });
});
