import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Field encryption (AES-256-GCM) and keyed lookup hashes (HMAC-SHA-256), both derived from one master key. */
export interface FieldCrypto {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** Deterministic keyed hash for exact lookup of an encrypted value (e.g. by ID number). */
  lookupHash(value: string): string;
  /** A 32-byte key for one purpose (e.g. signing check-in codes), derived from the data key. */
  deriveKey(purpose: string): Buffer;
}

export function createFieldCrypto(masterKey: Buffer): FieldCrypto {
  if (masterKey.length !== 32) throw new Error('The data key must be 32 bytes');
  const encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tongxin field encryption v1', 32));
  const macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tongxin lookup hash v1', 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
    },
    decrypt(stored) {
      const [v, iv, tag, ct] = stored.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('Unknown ciphertext format');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
    lookupHash(value) {
      return createHmac('sha256', macKey).update(value.normalize('NFKC').trim().toUpperCase()).digest('base64url');
    },
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tongxin ${purpose} v1`, 32));
    },
  };
}

/** Parses TONGXIN_DATA_KEY: 64 hex characters or base64 of 32 bytes. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('TONGXIN_DATA_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/** The key from the environment, else from the key file, creating it (mode 0600) on first start. */
export function loadMasterKey(opts: { dataKey?: string; keyFile: string }): { key: Buffer; source: string } {
  if (opts.dataKey) return { key: parseKey(opts.dataKey), source: 'TONGXIN_DATA_KEY' };
  if (existsSync(opts.keyFile)) {
    const mode = statSync(opts.keyFile).mode & 0o777;
    if (mode & 0o077) chmodSync(opts.keyFile, 0o600);
    return { key: parseKey(readFileSync(opts.keyFile, 'utf8')), source: opts.keyFile };
  }
  mkdirSync(dirname(opts.keyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(opts.keyFile, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: `${opts.keyFile} (created)` };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Masks a value for lists: first 3 and last 4 characters kept (domain-rules §8). */
export function mask(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value.length <= 7) return value.slice(0, 1) + '*'.repeat(Math.max(value.length - 1, 0));
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}
