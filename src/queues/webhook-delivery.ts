import { z } from 'zod';

/** The job a webhook delivery becomes: the verified body as received, plus how it was routed. */
const webhookDeliverySchema = z.object({
  /** `acme.atlassian.net`: the site the body's `self` links point at. */
  siteHost: z.string().min(1),
  /** The connection (cloud id) it was routed to; absent for admin (HMAC) deliveries of unknown sites. */
  connectionId: z.string().min(1).optional(),
  auth: z.enum(['jwt', 'hmac']),
  /** `X-Atlassian-Webhook-Identifier`, or `sha256:<hash of the body>` when the header is missing. */
  deliveryId: z.string().min(1),
  /** Epoch ms when the relay accepted it. */
  receivedAt: z.number().int().nonnegative(),
  retry: z.number().int().nonnegative(),
  body: z.record(z.string(), z.unknown()),
});

export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const deliveryBatchSchema = z.object({ deliveries: z.array(webhookDeliverySchema).min(1) });
