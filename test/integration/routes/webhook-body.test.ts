import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import type { DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import { deliveryBatchSchema } from '../../../src/queues/webhook-delivery.ts';
import {
  buildIntake,
  clientSecret,
  hubSecret,
  type IntakeQueue,
  intakeQueue,
} from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature, webhookJwt } from '../../helpers/jira-webhook.ts';
import { uniqueName } from '../../helpers/services.ts';

const maxBodyBytes = 16 * 1024;

/**
 * The intake reads bodies itself: the exact bytes for an HMAC, the text for a JWT. Over a real
 * socket, so that bodies come in chunks as a client sends them, with or without Content-Length.
 */
describe('POST /webhooks/jira reads bodies as sent', () => {
  let intake: IntakeQueue;
  let queue: RawJsonQueue<DeliveryBatch>;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    intake = intakeQueue();
    queue = intake.queue;
    app = await buildIntake(queue, { statePrefix: intake.statePrefix, maxBodyBytes });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await intake?.close();
  });

  /** POSTs `chunks` one write each; without `length`, chunked (no Content-Length). */
  function send(
    chunks: Buffer[],
    headers: Record<string, string>,
    length = true,
  ): Promise<{ status: number; body: unknown }> {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/webhooks/jira',
          headers: {
            'content-type': 'application/json',
            ...(length ? { 'content-length': String(total) } : {}),
            ...headers,
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) }),
          );
        },
      );
      // A server that answers before the whole body was sent may close the socket under the writes.
      req.on('error', reject);
      const writeNext = (i: number) => {
        const chunk = chunks[i];
        if (!chunk) {
          req.end();
          return;
        }
        req.write(chunk, () => setTimeout(() => writeNext(i + 1), 5));
      };
      writeNext(0);
    });
  }

  /** The body of a delivery of this test, read back from its job. */
  async function storedBody(deliveryId: string): Promise<unknown> {
    const jobs = await queue.getJobs(['wait']);
    const deliveries = jobs.flatMap((j) => deliveryBatchSchema.parse(j.data).deliveries);
    return deliveries.find((d) => d.deliveryId === deliveryId)?.body;
  }

  /** A real body with text whose UTF-8 takes 2, 3 and 4 bytes a character. */
  function textBody(): Buffer {
    return Buffer.from(JSON.stringify({ ...realWebhookBody('issue_updated'), note: 'Zürich — €5 😀 ✓' }));
  }

  /** Splits `bytes` in the middle of its first character of more than one byte, and once more. */
  function splitInsideCharacter(bytes: Buffer): Buffer[] {
    const at = bytes.indexOf(Buffer.from('ü')) + 1;
    return [bytes.subarray(0, at), bytes.subarray(at, at + 100), bytes.subarray(at + 100)];
  }

  it('stores a JWT delivery whose characters are split across chunks as the text sent', async () => {
    const bytes = textBody();
    const id = uniqueName('split');
    const headers = { authorization: `Bearer ${await webhookJwt(clientSecret)}` };
    for (const length of [true, false]) {
      const res = await send(
        splitInsideCharacter(bytes),
        {
          ...headers,
          'x-atlassian-webhook-identifier': `${id}-${length}`,
        },
        length,
      );
      expect(res).toEqual({ status: 202, body: { status: 'queued' } });
      expect(await storedBody(`${id}-${length}`)).toEqual(JSON.parse(bytes.toString('utf8')));
    }
  });

  it('verifies an HMAC on the exact bytes, split across chunks, even where they are not UTF-8', async () => {
    const text = textBody();
    // A byte that is not UTF-8 inside a string: decoding would change it, and the HMAC with it.
    const bytes = Buffer.concat([text.subarray(0, -1), Buffer.from(',"raw":"\xff"}', 'latin1')]);
    const id = uniqueName('hmac');
    const res = await send(splitInsideCharacter(bytes), {
      'x-hub-signature': signHubSignature(hubSecret, bytes),
      'x-atlassian-webhook-identifier': id,
    });
    expect(res).toEqual({ status: 202, body: { status: 'queued' } });
    expect(await storedBody(id)).toMatchObject({ note: 'Zürich — €5 😀 ✓', raw: '\ufffd' });
  });

  it('answers 413 for a chunked body past the limit, counted as it arrives', async () => {
    const piece = Buffer.alloc(6 * 1024, ' ');
    const headers = { authorization: `Bearer ${await webhookJwt(clientSecret)}` };
    const res = await send(
      [Buffer.from('{"webhookEvent":"x",'), piece, piece, piece, Buffer.from('"a":1}')],
      headers,
      false,
    );
    expect(res.status).toBe(413);
    // Just under the limit, chunked, the same way: accepted (an event the intake does not handle).
    const fits = await send(
      [Buffer.from('{"webhookEvent":"x",'), piece, piece, Buffer.from('"a":1}')],
      headers,
      false,
    );
    expect(fits).toEqual({ status: 202, body: { status: 'ignored' } });
  });

  it('stores nothing of a request whose client goes away mid-body, and keeps serving', async () => {
    const id = uniqueName('aborted');
    const bytes = textBody();
    const before = await queue.count();
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const head = [
      'POST /webhooks/jira HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${bytes.length}`,
      `Authorization: Bearer ${await webhookJwt(clientSecret)}`,
      `X-Atlassian-Webhook-Identifier: ${id}`,
    ].join('\r\n');
    socket.write(`${head}\r\n\r\n`);
    socket.write(bytes.subarray(0, bytes.length >> 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await queue.count()).toBe(before);
    // The same delivery, sent whole by Jira's retry, is queued: nothing was claimed for it.
    const retry = await send([bytes], {
      authorization: `Bearer ${await webhookJwt(clientSecret)}`,
      'x-atlassian-webhook-identifier': id,
    });
    expect(retry).toEqual({ status: 202, body: { status: 'queued' } });
  });
});
