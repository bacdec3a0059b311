import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { RelayError } from '../errors.ts';

/**
 * AES-256-GCM for secrets at rest. A sealed value is `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url
 * parts): the key id travels beside the ciphertext, so a list of keys allows rotation. The first key
 * seals, every key opens. `context` is bound as associated data: a ciphertext copied onto another
 * record (another account's grant) fails to open instead of handing out the wrong tokens.
 */
export interface TokenCipher {
  /** Id of the key that seals: the first 8 hex digits of the key's SHA-256. */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const version = 'v1';
const ivBytes = 12;

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** `keys` are base64 32-byte keys as TOKEN_ENCRYPTION_KEY gives them, the sealing key first. */
export function createTokenCipher(keys: readonly string[]): TokenCipher {
  const byId = new Map<string, Buffer>();
  for (const encoded of keys) {
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new RelayError('CONFIG_INVALID', 'an encryption key must be 32 bytes');
    byId.set(keyIdOf(key), key);
  }
  const [first] = keys;
  if (first === undefined) throw new RelayError('CONFIG_INVALID', 'at least one encryption key is required');
  const sealingKey = Buffer.from(first, 'base64');
  const keyId = keyIdOf(sealingKey);

  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', sealingKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return [version, keyId, ...parts].join('.');
    },
    open(sealed, context) {
      const [v, id, iv, tag, ciphertext] = sealed.split('.');
      if (v !== version || !id || !iv || !tag || ciphertext === undefined) {
        throw unreadable('not a sealed value');
      }
      const key = byId.get(id);
      if (!key) throw unreadable(`sealed with key ${id}, which is not in TOKEN_ENCRYPTION_KEY`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64url')),
          decipher.final(),
        ]);
        return plain.toString('utf8');
      } catch (err) {
        throw unreadable('authentication failed (wrong key, record or tampered value)', err);
      }
    },
  };
}

/** The id a sealed value names, without opening it (maintenance re-encrypts old-key records). */
export function sealedKeyId(sealed: string): string | null {
  const [v, id] = sealed.split('.');
  return v === version && id ? id : null;
}

function unreadable(why: string, cause?: unknown): RelayError {
  return new RelayError('TOKEN_UNREADABLE', `cannot open a sealed token: ${why}`, { cause });
}
