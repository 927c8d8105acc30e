// Rate limits of POST /open311/v2/requests (CASE-7): a fixed one-minute window per client address
// (checked first, so a guessed api_key costs a request too) and per API key. In memory per server
// instance, like the limits of the anonymous case routes: behind N instances a client may get N times
// the limit. Clients that exceed one hear 429 in the spec's error format with Retry-After.

export const POSTS_PER_MINUTE_PER_KEY = 30;
export const POSTS_PER_MINUTE_PER_IP = 60;
const WINDOW_MS = 60_000;

export interface Limiter {
  /** Counts one request for `key`: null when allowed, else the seconds until the window ends. */
  hit(key: string, now?: number): number | null;
  readonly max: number;
}

export function windowLimiter(max: number, windowMs = WINDOW_MS, maxKeys = 50_000): Limiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    max,
    hit(key, now = Date.now()) {
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        if (!w && windows.size >= maxKeys) {
          // forget ended windows; an address flood must not grow the map without bound
          for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
        }
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      return w.count > max ? Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)) : null;
    },
  };
}
