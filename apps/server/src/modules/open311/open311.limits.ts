// Rate limits of POST /open311/v2/requests (CASE-7): a fixed one-minute window per client address
// (checked first, so a guessed api_key costs a request too) and per API key, counted in the database
// (platform/limits.ts) so that they hold across server instances. Clients that exceed one hear 429
// in the spec's error format with Retry-After.

export const POSTS_PER_MINUTE_PER_KEY = 30;
export const POSTS_PER_MINUTE_PER_IP = 60;
export const WINDOW_MS = 60_000;
