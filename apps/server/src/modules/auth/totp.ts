import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpFor(secret: string, label: string): TOTP {
  return new TOTP({ issuer: '同心 Tongxin', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/**
 * Checks a code within ±1 step and returns the step it matched, or null. The caller refuses a step
 * at or before the last one accepted, so a code cannot be replayed.
 */
export function matchTotp(secret: string, code: string, now = Date.now()): number | null {
  const delta = totpFor(secret, 'x').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / PERIOD) + delta;
}

/** The current code (tests and the developer tools use it). */
export function totpNow(secret: string, now = Date.now()): string {
  return totpFor(secret, 'x').generate({ timestamp: now });
}
