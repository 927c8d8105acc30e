// Latency percentiles and a bounded concurrent HTTP load loop (loopback only).
import http from 'node:http';

export function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { n: s.length, p50: r(at(50)), p99: r(at(99)), max: r(s[s.length - 1] ?? 0) };
}

export async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  latency: ReturnType<typeof percentiles>;
}

/**
 * Sends GET requests from `concurrency` keep-alive connections for `seconds` (or `maxRequests`),
 * cycling through `paths`. Only for servers on this machine.
 */
export async function httpLoad(opts: { port: number; paths: string[]; headers?: Record<string, string>; concurrency: number; seconds: number; maxRequests?: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + opts.seconds * 1000;
  const started = performance.now();
  const one = (path: string) =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      const req = http.get({ host: '127.0.0.1', port: opts.port, path, agent, headers: opts.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      void t;
    });
  const worker = async () => {
    while (performance.now() < deadline && (opts.maxRequests === undefined || next < opts.maxRequests)) {
      const path = opts.paths[next++ % opts.paths.length]!;
      const t = performance.now();
      const status = await one(path);
      latencies.push(performance.now() - t);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { requests: latencies.length, errors, seconds: Math.round(seconds * 100) / 100, rps: Math.round(latencies.length / seconds), latency: percentiles(latencies) };
}
