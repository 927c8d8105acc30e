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

/** One request of a load run: GET when there is no body, else `method` (default POST) with a JSON body. */
export interface LoadRequest {
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** headers of this request only (e.g. each member's own token), over `headers` */
  headers?: Record<string, string>;
}

/**
 * Sends requests from `concurrency` keep-alive connections for `seconds` (or `maxRequests`),
 * cycling through `paths` (GET) or taking the i-th request from `request(i)` (any method, JSON body).
 * A request counts as an error unless its status is in `okStatus` (default 200). Only for servers on
 * this machine (127.0.0.1); bounded in time and, with `maxRequests`, in count.
 */
export async function httpLoad(opts: {
  port: number;
  paths?: string[];
  request?: (i: number) => LoadRequest;
  headers?: Record<string, string>;
  concurrency: number;
  seconds: number;
  maxRequests?: number;
  okStatus?: number[];
}): Promise<LoadResult> {
  if (!opts.paths?.length && !opts.request) throw new Error('httpLoad: paths or request is required');
  const okStatus = opts.okStatus ?? [200];
  const seconds = Math.min(opts.seconds, 120);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const one = (r: LoadRequest) =>
    new Promise<number>((resolve) => {
      const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
      const headers: Record<string, string | number> = { ...opts.headers, ...r.headers };
      if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
      const req = http.request({ host: '127.0.0.1', port: opts.port, path: r.path, method: r.method ?? (payload ? 'POST' : 'GET'), agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(30_000, () => req.destroy());
      req.on('error', () => resolve(0));
      req.end(payload);
    });
  const worker = async () => {
    while (performance.now() < deadline && (opts.maxRequests === undefined || next < opts.maxRequests)) {
      const i = next++;
      const r = opts.request ? opts.request(i) : { path: opts.paths![i % opts.paths!.length]! };
      const t = performance.now();
      const status = await one(r);
      latencies.push(performance.now() - t);
      if (!okStatus.includes(status)) errors++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  const took = (performance.now() - started) / 1000;
  return { requests: latencies.length, errors, seconds: Math.round(took * 100) / 100, rps: Math.round(latencies.length / took), latency: percentiles(latencies) };
}
