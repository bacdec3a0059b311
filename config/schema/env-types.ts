import { z } from 'zod';

/** Whole seconds or milliseconds given as a non-negative integer in an env string. */
export const integer = (min = 0) => z.coerce.number().int().min(min);

export const positiveNumber = () => z.coerce.number().positive();

/** An http(s) URL without trailing slashes. */
export const url = () =>
  z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    .transform((value) => value.replace(/\/+$/, ''));

export const nonEmpty = () => z.string().trim().min(1);

/** `a, b,c` as ['a', 'b', 'c'], empty items dropped. */
const commaList = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** host:port[,host:port...] */
export const brokerList = () =>
  commaList().pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each broker must be host:port'))
      .min(1, 'at least one host:port'),
  );

/** Comma-separated base64 keys of exactly 32 bytes each (AES-256). */
export const encryptionKeys = () =>
  commaList().pipe(
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'each key must be base64')
          .refine((key) => Buffer.from(key, 'base64').length === 32, 'each key must decode to 32 bytes'),
      )
      .min(1, 'at least one key'),
  );

/** Comma-separated site hosts (`acme.atlassian.net`), lower-cased; empty means no list. */
export const hostList = () =>
  commaList().pipe(
    z.array(
      z
        .string()
        .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'each entry must be a site host such as acme.atlassian.net')
        .transform((host) => host.toLowerCase()),
    ),
  );

export const spaceList = () =>
  z.string().transform((value) =>
    value
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
