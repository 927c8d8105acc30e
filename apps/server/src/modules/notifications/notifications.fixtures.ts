import { request, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../app.js';

// A minimal Server-Sent Events client for the tests (inject cannot stream).

export interface SseFrame {
  event?: string;
  id?: string;
  data?: string;
  retry?: string;
}

export interface SseClient {
  status: number;
  contentType: string;
  frames: SseFrame[];
  raw: () => string;
  waitFor(pred: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
  ended: Promise<void>;
}

export async function listenPort(app: App): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

export function openSse(port: number, cookie: string, headers: Record<string, string> = {}, query = ''): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    const frames: SseFrame[] = [];
    let buffer = '';
    let all = '';
    const waiters: { pred: (f: SseFrame) => boolean; done: (f: SseFrame) => void }[] = [];
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    req = request({ host: '127.0.0.1', port, path: `/api/events${query}`, headers: { cookie, accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        all += chunk;
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const f: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'event' || k === 'id' || k === 'data' || k === 'retry') f[k] = v;
          }
          if (Object.keys(f).length === 0) continue;
          frames.push(f);
          for (const w of [...waiters]) if (w.pred(f)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done(f);
          }
        }
      });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
        frames,
        raw: () => all,
        ended,
        waitFor(pred, timeoutMs = 1000) {
          const found = frames.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const t = setTimeout(() => fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs);
            waiters.push({ pred, done: (f) => (clearTimeout(t), ok(f)) });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
