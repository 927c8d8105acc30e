import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

// Every environment variable the server reads, with its default. README's configuration table mirrors this.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  TONGXIN_DATA_DIR: z.string().default('./data'),
  TONGXIN_DATA_KEY: z.string().optional(),
  TONGXIN_KEY_FILE: z.string().optional(),
  TONGXIN_DEMO: bool.optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  SESSION_MAX_HOURS: z.coerce.number().positive().default(12),
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().positive().default(15),
  // failed logins per client address within LOGIN_ADDRESS_MINUTES before it is refused; 0 = no limit
  LOGIN_ADDRESS_FAILURES: z.coerce.number().int().min(0).default(30),
  LOGIN_ADDRESS_MINUTES: z.coerce.number().positive().default(10),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  TRUST_PROXY: bool.default(false),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // seconds between sweeps of the case deadlines table; 0 turns the sweeper off (default 30, off in tests)
  CASE_SWEEP_SECONDS: z.coerce.number().min(0).max(86_400).optional(),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  databaseUrl?: string;
  poolMax: number;
  dataDir: string;
  dataKey?: string;
  keyFile: string;
  loadDemo: boolean;
  sessionIdleMs: number;
  sessionMaxMs: number;
  sessionCacheMs: number;
  loginMaxFailures: number;
  loginLockMs: number;
  loginAddressFailures: number;
  loginAddressWindowMs: number;
  bodyLimit: number;
  uploadLimit: number;
  trustProxy: boolean;
  cookieSecure: boolean;
  logLevel: Env['LOG_LEVEL'];
  /** Interval of the case deadline sweeper in ms; 0 = not started. */
  caseSweepMs: number;
  version: string;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration (环境变量配置有误):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    poolMax: e.PG_POOL_MAX,
    dataDir: resolve(e.TONGXIN_DATA_DIR),
    dataKey: e.TONGXIN_DATA_KEY,
    // Outside ./data on purpose: a copy of the data directory must not carry the key that opens it.
    keyFile: resolve(e.TONGXIN_KEY_FILE ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tongxin', 'data.key')),
    // the demo city (with its published passwords) only where nobody asked for production
    loadDemo: e.TONGXIN_DEMO ?? !production,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    sessionCacheMs: e.SESSION_CACHE_MS,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginLockMs: e.LOGIN_LOCK_MINUTES * 60_000,
    loginAddressFailures: e.LOGIN_ADDRESS_FAILURES,
    loginAddressWindowMs: e.LOGIN_ADDRESS_MINUTES * 60_000,
    bodyLimit: e.BODY_LIMIT_BYTES,
    uploadLimit: e.UPLOAD_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    cookieSecure: e.COOKIE_SECURE === 'auto' ? production : e.COOKIE_SECURE === 'true',
    logLevel: e.LOG_LEVEL,
    caseSweepMs: (e.CASE_SWEEP_SECONDS ?? (e.NODE_ENV === 'test' ? 0 : 30)) * 1000,
    version: process.env.npm_package_version ?? '0.1.0',
  };
}
