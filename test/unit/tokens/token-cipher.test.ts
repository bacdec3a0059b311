import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, keyIdOf, sealedKeyId } from '../../../src/tokens/token-cipher.ts';

const newKey = () => randomBytes(32).toString('base64');
const secret = JSON.stringify({ a: 'access-abc123', r: 'refresh-xyz789' });

describe('token cipher (AES-256-GCM)', () => {
  it('opens what it sealed, and the sealed text shows none of the secret', () => {
    const cipher = createTokenCipher([newKey()]);
    const sealed = cipher.seal(secret, 'grant:acc-1');
    expect(cipher.open(sealed, 'grant:acc-1')).toBe(secret);
    expect(sealed).not.toContain('access-abc123');
    expect(sealed).not.toContain(Buffer.from('access-abc123').toString('base64'));
  });

  it('names the sealing key by the first 8 hex digits of its SHA-256, beside the ciphertext', () => {
    const key = newKey();
    const expected = createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 8);
    const cipher = createTokenCipher([key]);
    expect(cipher.keyId).toBe(expected);
    expect(keyIdOf(Buffer.from(key, 'base64'))).toBe(expected);
    expect(sealedKeyId(cipher.seal(secret, 'ctx'))).toBe(expected);
  });

  it('uses a fresh IV per seal, so equal secrets never look equal at rest', () => {
    const cipher = createTokenCipher([newKey()]);
    expect(cipher.seal(secret, 'ctx')).not.toBe(cipher.seal(secret, 'ctx'));
  });

  it('rotates: the first key seals, every listed key still opens older values', () => {
    const oldKey = newKey();
    const sealedWithOld = createTokenCipher([oldKey]).seal(secret, 'ctx');
    const rotated = createTokenCipher([newKey(), oldKey]);
    expect(rotated.open(sealedWithOld, 'ctx')).toBe(secret);
    expect(sealedKeyId(rotated.seal(secret, 'ctx'))).toBe(rotated.keyId);
    expect(rotated.keyId).not.toBe(sealedKeyId(sealedWithOld));
  });

  it('refuses a value sealed under a key that was removed, naming that key id', () => {
    const gone = createTokenCipher([newKey()]);
    const sealed = gone.seal(secret, 'ctx');
    expect(() => createTokenCipher([newKey()]).open(sealed, 'ctx')).toThrow(
      expect.objectContaining({ code: 'TOKEN_UNREADABLE', message: expect.stringContaining(gone.keyId) }),
    );
  });

  it('refuses a tampered ciphertext and a ciphertext moved to another record', () => {
    const cipher = createTokenCipher([newKey()]);
    const sealed = cipher.seal(secret, 'grant:acc-1');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 4), body.toString('base64url')].join('.');
    expect(() => cipher.open(tampered, 'grant:acc-1')).toThrow(
      expect.objectContaining({ code: 'TOKEN_UNREADABLE' }),
    );
    expect(() => cipher.open(sealed, 'grant:acc-2')).toThrow(
      expect.objectContaining({ code: 'TOKEN_UNREADABLE' }),
    );
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createTokenCipher([randomBytes(16).toString('base64')])).toThrow(/32 bytes/);
  });
});
