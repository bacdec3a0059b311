import { Kafka } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import { toDeadLetterMessage, toKafkaMessage } from '../../../src/kafka/cloud-event-message.ts';

const event: RelayEvent = {
  id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  type: 'dev.jirarelay.crm.ticket.upserted',
  source: 'https://acme.atlassian.net',
  subject: 'OPS-7',
  time: '2024-03-01T09:30:00.000Z',
  dataschema: 'https://jirarelay.dev/schemas/events/crm.ticket.upserted.json',
  data: { id: '10042', title: 'Checkout returns 502', labels: ['p1'], assignee: null },
  topic: 'jira.crm.events',
  key: 'acme.atlassian.net:10042',
};

describe('CloudEvents binary mode on Kafka', () => {
  it('puts the attributes in ce_* headers, the JSON data in the value and the issue in the key', () => {
    expect(toKafkaMessage(event)).toEqual({
      key: 'acme.atlassian.net:10042',
      value: JSON.stringify(event.data),
      headers: {
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_type: event.type,
        ce_source: 'https://acme.atlassian.net',
        ce_subject: 'OPS-7',
        ce_time: '2024-03-01T09:30:00.000Z',
        ce_dataschema: 'https://jirarelay.dev/schemas/events/crm.ticket.upserted.json',
      },
    });
  });

  it('sends no header without a value (kafkajs refuses undefined headers)', () => {
    const { headers } = toKafkaMessage(event);
    expect(Object.values(headers).every((v) => typeof v === 'string' && v !== '')).toBe(true);
  });

  it("reads back as the same CloudEvent with the binding's own decoder", () => {
    const message = toKafkaMessage(event);
    const incoming = {
      key: message.key,
      value: message.value,
      body: message.value,
      headers: { ...message.headers },
    };
    const decoded = Kafka.toEvent(incoming);
    const ce = Array.isArray(decoded) ? decoded[0] : decoded;
    expect(ce?.id).toBe(event.id);
    expect(ce?.type).toBe(event.type);
    expect(ce?.source).toBe(event.source);
    expect(ce?.subject).toBe(event.subject);
    expect(ce?.time).toBe(event.time);
    expect(ce?.dataschema).toBe(event.dataschema);
    expect(ce?.datacontenttype).toBe('application/json');
    expect(ce?.data).toEqual(event.data);
  });
});

describe('dead letters', () => {
  it('carry the input, the error and the attempts, keyed by issue, with headers to route on', () => {
    const message = toDeadLetterMessage({
      queue: 'connector-events',
      connector: 'crm',
      jobId: '42',
      key: 'acme.atlassian.net:10042',
      input: { change: { issue: { id: '10042' } } },
      error: { code: 'MAPPING_FAILED', message: 'boom', retryable: false },
      attempts: 8,
      failedAt: Date.parse('2024-03-01T10:00:00.000Z'),
    });
    expect(message.key).toBe('acme.atlassian.net:10042');
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      'x-relay-queue': 'connector-events',
      'x-relay-error-code': 'MAPPING_FAILED',
      'x-relay-connector': 'crm',
    });
    expect(JSON.parse(message.value)).toEqual({
      queue: 'connector-events',
      connector: 'crm',
      jobId: '42',
      key: 'acme.atlassian.net:10042',
      input: { change: { issue: { id: '10042' } } },
      error: { code: 'MAPPING_FAILED', message: 'boom', retryable: false },
      attempts: 8,
      failedAt: '2024-03-01T10:00:00.000Z',
    });
  });

  it('carry their outbox id as a header once recorded, so a re-sent copy can be dropped', () => {
    const letter = {
      queue: 'q',
      input: null,
      error: { code: 'X', message: 'm', retryable: true },
      attempts: 1,
      failedAt: 0,
    };
    expect(toDeadLetterMessage(letter).headers).not.toHaveProperty('x-relay-dead-letter-id');
    const recorded = toDeadLetterMessage({ ...letter, id: '1700000000000-0' });
    expect(recorded.headers['x-relay-dead-letter-id']).toBe('1700000000000-0');
    expect(JSON.parse(recorded.value)).toMatchObject({ id: '1700000000000-0' });
  });

  it('fall back to queue and job for the key when the issue is unknown', () => {
    const base = {
      queue: 'q',
      input: null,
      error: { code: 'X', message: 'm', retryable: true },
      attempts: 1,
      failedAt: 0,
    };
    expect(toDeadLetterMessage({ ...base, jobId: '7' }).key).toBe('q:7');
    expect(toDeadLetterMessage(base).key).toBe('q:unknown');
    expect(toDeadLetterMessage(base).headers).not.toHaveProperty('x-relay-connector');
  });
});
