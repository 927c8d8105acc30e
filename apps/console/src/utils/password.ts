/** The server's password policy, checked early for a friendlier form: 8+ characters, 3 of 4 classes. */
export const PASSWORD_MIN = 8;

export function passwordClasses(pw: string): number {
  return [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
}

export function meetsPasswordPolicy(pw: string): boolean {
  return pw.length >= PASSWORD_MIN && passwordClasses(pw) >= 3;
}

/** A random password that meets the policy (for resets and new accounts). */
export function generatePassword(length = 12): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '!@#$%^&*-_=+?'];
  const all = sets.join('');
  const rnd = (n: number) => {
    const a = new Uint32Array(1);
    crypto.getRandomValues(a);
    return (a[0] ?? 0) % n;
  };
  const pick = (s: string) => s.charAt(rnd(s.length));
  const chars = sets.map(pick);
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
