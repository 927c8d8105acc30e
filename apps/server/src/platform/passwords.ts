import { hash, verify } from '@node-rs/argon2';
import { AppError } from './errors.js';

export const PASSWORD_MIN = 8;
// algorithm 2 = Argon2id (the package's const enum cannot be imported under isolatedModules)
const OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(plain: string): Promise<string> {
  return hash(plain, OPTIONS);
}

export async function verifyPassword(stored: string, plain: string): Promise<boolean> {
  try {
    return await verify(stored, plain);
  } catch {
    return false;
  }
}

/** 8+ characters from at least 3 of: lower case, upper case, digits, symbols (domain-rules §8). */
export function checkPasswordPolicy(plain: string, field = 'password'): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(plain)).length;
  if (plain.length < PASSWORD_MIN || plain.length > 128 || classes < 3) {
    throw new AppError('AUTH_PASSWORD_WEAK', { min: PASSWORD_MIN }, { [field]: 'AUTH_PASSWORD_WEAK' });
  }
}

// Verified against when the username is unknown, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
export function dummyVerify(plain: string): Promise<boolean> {
  dummyHash ??= hashPassword('unused-Dummy-1!');
  return dummyHash.then((h) => verifyPassword(h, plain));
}
