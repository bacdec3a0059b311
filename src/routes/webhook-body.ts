import { errorCodes, type FastifyRequest } from 'fastify';

/**
 * A webhook body as the intake gets it: the exact bytes when an HMAC covers them, else the text.
 * Either way it is the body as received: text is decoded from the bytes once, as UTF-8.
 */
export type WebhookBody = Buffer | string;

type Done = (err: Error | null, body?: WebhookBody) => void;

/**
 * The content-type parser of POST /webhooks/jira. It reads the request itself (no `parseAs`), so
 * that it can choose per delivery what to keep:
 * - signed with `X-Hub-Signature`: the bytes, which the HMAC covers;
 * - anything else (a bearer JWT covers no body bytes): the text, decoded from the one chunk a body
 *   usually comes in. `parseAs: 'buffer'` would first copy every body into a new Buffer, which
 *   then had to be decoded again for JSON.parse; that copy and its garbage were 7 to 12% of the
 *   intake's CPU at full load.
 *
 * Limits and answers are Fastify's, as its own reader gives them: 413 when Content-Length or the
 * bytes received pass `limit`, 400 when the bytes received differ from Content-Length.
 */
export function readWebhookBody(limit: number) {
  return (request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done): void => {
    const declared = Number(request.headers['content-length']);
    if (declared > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const keepBytes = request.headers['x-hub-signature'] !== undefined;
    const chunks: Buffer[] = [];
    let received = 0;

    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit) {
        stop();
        done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (err?: Error & { statusCode?: number }) => {
      stop();
      if (err) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        done(err);
        return;
      }
      if (!Number.isNaN(declared) && received !== declared) {
        done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      // The bytes are copied either way: a chunk may be a view of the socket's read buffer.
      const [only] = chunks;
      if (keepBytes) done(null, Buffer.concat(chunks, received));
      else
        done(
          null,
          chunks.length === 1 && only
            ? only.toString('utf8')
            : Buffer.concat(chunks, received).toString('utf8'),
        );
    };
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  };
}
