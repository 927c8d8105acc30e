import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../test/harness.js';
import { hitWindow, pruneWindows, readWindow, sharedLimiter } from './limits.js';

// Shared rate limits: fixed windows counted in the database, the same for every server instance.

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

const db = () => env.database.db;
const age = (key: string, seconds: number) => sql`UPDATE rate_windows SET started_at = started_at - make_interval(secs => ${seconds}) WHERE key = ${key}`.execute(db());

describe('shared rate windows', () => {
  it('counts hits in a window, starts a new one when it has ended, and reads without counting', async () => {
    expect(await readWindow(db(), 'k:a', 60_000)).toEqual({ hits: 0, resetMs: 0 });
    expect((await hitWindow(db(), 'k:a', 60_000)).hits).toBe(1);
    const second = await hitWindow(db(), 'k:a', 60_000, 2);
    expect(second.hits).toBe(3);
    expect(second.resetMs).toBeGreaterThan(58_000);
    expect(second.resetMs).toBeLessThanOrEqual(60_000);
    expect((await readWindow(db(), 'k:a', 60_000)).hits).toBe(3);
    expect((await readWindow(db(), 'k:a', 60_000)).hits).toBe(3);
    await age('k:a', 61);
    expect(await readWindow(db(), 'k:a', 60_000)).toEqual({ hits: 0, resetMs: 0 });
    expect((await hitWindow(db(), 'k:a', 60_000)).hits).toBe(1);
  });

  it('a limiter allows `max` hits per key and then answers the seconds to wait, for other keys nothing', async () => {
    const limiter = sharedLimiter(db(), 'test', 3, 60_000);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.hit('10.0.0.1'));
    expect(answers.slice(0, 3)).toEqual([null, null, null]);
    expect(answers[3]).toBeGreaterThanOrEqual(59);
    expect(await limiter.hit('10.0.0.2')).toBeNull();
    // another instance's limiter over the same database counts with it
    const elsewhere = sharedLimiter((await env.secondApp()).deps.database.db, 'test', 3, 60_000);
    expect(await elsewhere.hit('10.0.0.1')).toBeGreaterThanOrEqual(59);
  });

  it('concurrent hits are each counted once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => hitWindow(db(), 'k:burst', 60_000)));
    expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('prunes windows that ended over an hour ago, and only those', async () => {
    await hitWindow(db(), 'k:old', 60_000);
    await hitWindow(db(), 'k:recent', 60_000);
    await age('k:old', 3_700);
    await age('k:recent', 120);
    expect(await pruneWindows(db())).toBe(1);
    const left = (await db().selectFrom('rate_windows').select('key').where('key', 'in', ['k:old', 'k:recent']).execute()).map((r) => r.key);
    expect(left).toEqual(['k:recent']);
  });
});
