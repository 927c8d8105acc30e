import type { AppDeps } from '../../app.js';

// Failed logins per client address. The per-account lockout stops guessing one account's password;
// it does not slow one address trying a common password on many accounts (password spraying) or
// names that do not exist — each of those costs an Argon2 computation too. After `max` failures
// within `windowMs` an address is refused (429 RATE_LIMITED, audited) until its window ends.
// Successful logins are not counted: an office behind one address logs in all morning.
// Kept in each instance's memory, like the other limiters (docs/security.md, "Rate limiting").

export class AddressFailures {
  private readonly seen = new Map<string, { failures: number; since: number }>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Seconds until the address may try again, or 0 when it may now. */
  refusedFor(address: string, now = Date.now()): number {
    const entry = this.seen.get(address);
    if (!entry || now - entry.since >= this.windowMs) return 0;
    return entry.failures >= this.max ? Math.ceil((entry.since + this.windowMs - now) / 1000) : 0;
  }

  failed(address: string, now = Date.now()): void {
    const entry = this.seen.get(address);
    if (entry && now - entry.since < this.windowMs) {
      entry.failures += 1;
      return;
    }
    // bounded: ended windows go when the map grows large
    if (this.seen.size >= 10_000) for (const [k, v] of this.seen) if (now - v.since >= this.windowMs) this.seen.delete(k);
    this.seen.set(address, { failures: 1, since: now });
  }
}

const limits = new WeakMap<AppDeps, AddressFailures>();

/** The instance's counter (0 in LOGIN_ADDRESS_FAILURES turns it off). */
export function addressFailuresOf(deps: AppDeps): AddressFailures | null {
  if (deps.config.loginAddressFailures === 0) return null;
  let limit = limits.get(deps);
  if (!limit) limits.set(deps, (limit = new AddressFailures(deps.config.loginAddressFailures, deps.config.loginAddressWindowMs)));
  return limit;
}
