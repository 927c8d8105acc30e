import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldCrypto } from '../../platform/crypto.js';
import type { VolunteerRules } from '../../platform/rules.js';

// QR check-in codes. The organiser's screen shows a code that changes every `stepSeconds`: an HMAC of
// the activity id and the time step under a key derived from the data key. A code is taken only in
// its own step (plus a few seconds' grace for a scan in flight), so a screenshot shared later fails.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U to misread
const LENGTH = 8; // 40 bits: guessing within one step is hopeless, and it is short enough to type

const keys = new WeakMap<FieldCrypto, Buffer>();
function keyOf(crypto: FieldCrypto): Buffer {
  let k = keys.get(crypto);
  if (!k) keys.set(crypto, (k = crypto.deriveKey('activity check-in')));
  return k;
}

function codeFor(crypto: FieldCrypto, activityId: string, step: number): string {
  const mac = createHmac('sha256', keyOf(crypto)).update(`${activityId}:${step}`).digest();
  let out = '';
  for (let i = 0; i < LENGTH; i++) out += ALPHABET[mac[i]! & 31];
  return out;
}

export const stepOf = (rules: VolunteerRules, now: number) => Math.floor(now / 1000 / rules.checkIn.stepSeconds);

/** The code on the organiser's screen now, and when it stops being taken. */
export function currentCode(crypto: FieldCrypto, rules: VolunteerRules, activityId: string, now = Date.now()) {
  const step = stepOf(rules, now);
  const stepMs = rules.checkIn.stepSeconds * 1000;
  return { code: codeFor(crypto, activityId, step), step, validFrom: new Date(step * stepMs), refreshAt: new Date((step + 1) * stepMs) };
}

/** Spaces, dashes and case do not matter; O and I typed for 0 and 1 are read as such. */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Whether a typed or scanned code is the current one (or the previous one within the grace). */
export function verifyCode(crypto: FieldCrypto, rules: VolunteerRules, activityId: string, input: string, now = Date.now()): boolean {
  const code = normaliseCode(input);
  if (code.length !== LENGTH) return false;
  const step = stepOf(rules, now);
  const candidates = [step];
  if (now - step * rules.checkIn.stepSeconds * 1000 < rules.checkIn.graceSeconds * 1000) candidates.push(step - 1);
  return candidates.some((s) => timingSafeEqual(Buffer.from(codeFor(crypto, activityId, s)), Buffer.from(code)));
}
