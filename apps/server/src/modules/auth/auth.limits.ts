import type { AppDeps } from '../../app.js';
import type { Db } from '../../db/database.js';
import { hitWindow, readWindow } from '../../platform/limits.js';

// Failed logins per client address. The per-account lockout stops guessing one account's password;
// it does not slow one address trying a common password on many accounts (password spraying) or
// names that do not exist — each of those costs an Argon2 computation too. After `max` failures
// within `windowMs` an address is refused (429 RATE_LIMITED, audited) until its window ends.
// Successful logins are not counted: an office behind one address logs in all morning.
// Counted in the database (platform/limits.ts), so the limit holds across server instances.

export class AddressFailures {
  constructor(
    private readonly db: Db,
    readonly max: number,
    readonly windowMs: number,
  ) {}

  private key(address: string) {
    return `login-failures:${address}`;
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  async refusedFor(address: string): Promise<number> {
    const w = await readWindow(this.db, this.key(address), this.windowMs);
    return w.hits >= this.max ? Math.max(1, Math.ceil(w.resetMs / 1000)) : 0;
  }

  async failed(address: string): Promise<void> {
    await hitWindow(this.db, this.key(address), this.windowMs);
  }
}

/** The counter of failed logins (null when LOGIN_ADDRESS_FAILURES is 0: off). */
export function addressFailuresOf(deps: AppDeps): AddressFailures | null {
  if (deps.config.loginAddressFailures === 0) return null;
  return new AddressFailures(deps.database.db, deps.config.loginAddressFailures, deps.config.loginAddressWindowMs);
}
