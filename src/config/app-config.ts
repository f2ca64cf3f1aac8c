import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type PaymentProvider = 'sandbox' | 'wechat';

/** Typed configuration (contract §1). Built once from the environment by `loadConfig`. */
export class AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  databaseUrl?: string;
  dbPoolSize: number;
  dataDir: string;
  jwtSecret: string;
  adminUsername: string;
  /** undefined → generated at bootstrap and printed once */
  adminPassword?: string;
  authDevLogin: boolean;
  paymentProvider: PaymentProvider;
  orderPayTimeoutSeconds: number;
  jobsEnabled: boolean;
  jobIntervalSeconds: number;
  loginRateLimitPerMinute: number;
  /** unpaid checkouts one user may hold at once in one tenant (enforced at createOrder) */
  maxUnpaidCheckouts: number;
  /** createOrder calls per user per minute, counted across instances */
  orderRateLimitPerMinute: number;
  appTz: string;
  logLevel: string;
  wechat: { appId?: string; secret?: string; apiBase: string };
  wechatPay: {
    mchId?: string;
    serialNo?: string;
    privateKey?: string;
    apiV3Key?: string;
    publicKey?: string;
    publicKeyId?: string;
    notifyUrl?: string;
    baseUrl: string;
  };
  /** seed the demo tenant/shop/deals/coupons (embedded SQLite default) */
  seedDemo: boolean;
}

/** Thrown when the app must not start; the message is the one line an operator reads. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function str(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, key: string, def: number, min: number, max: number): number {
  const raw = str(env, key);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, key: string, def: boolean): boolean {
  const raw = str(env, key);
  if (raw === undefined) return def;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

/** PEM given inline or as `@path`. */
function pem(env: Env, key: string): string | undefined {
  const raw = str(env, key);
  if (raw === undefined) return undefined;
  if (raw.startsWith('@')) {
    const path = raw.slice(1);
    if (!existsSync(path)) throw new ConfigError(`${key} points to ${path}, which does not exist`);
    return readFileSync(path, 'utf8');
  }
  return raw.replace(/\\n/g, '\n');
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Dev only: a JWT secret generated once and kept in DATA_DIR, so tokens survive restarts. */
function devJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Reads and validates the environment. Throws ConfigError with one line saying why the app must
 * not start (in production: missing/short JWT_SECRET, dev login or sandbox payments, incomplete WeChat Pay settings).
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const givenNodeEnv = str(env, 'NODE_ENV');
  const nodeEnv = givenNodeEnv ?? 'development';
  const production = nodeEnv === 'production';
  const c = new AppConfig();
  c.nodeEnv = nodeEnv;
  c.production = production;
  c.port = int(env, 'PORT', 3000, 0, 65535);
  c.host = str(env, 'HOST') ?? '0.0.0.0';
  c.databaseUrl = str(env, 'DATABASE_URL');
  if (c.databaseUrl && !/^mysql:\/\/.+/.test(c.databaseUrl)) {
    throw new ConfigError('DATABASE_URL must look like mysql://user:pass@host:3306/db (or be unset for the embedded SQLite)');
  }
  c.dbPoolSize = int(env, 'DB_POOL_SIZE', 10, 1, 1000);
  c.dataDir = resolve(str(env, 'DATA_DIR') ?? './data');

  const jwt = str(env, 'JWT_SECRET');
  if (production) {
    if (!jwt) throw new ConfigError('refusing to start: JWT_SECRET is required when NODE_ENV=production (at least 32 characters)');
    if (jwt.length < 32)
      throw new ConfigError(`refusing to start: JWT_SECRET must be at least 32 characters in production (got ${jwt.length})`);
    c.jwtSecret = jwt;
  } else if (jwt) {
    if (jwt.length < 32) throw new ConfigError(`JWT_SECRET must be at least 32 characters (got ${jwt.length})`);
    c.jwtSecret = jwt;
  } else {
    c.jwtSecret = devJwtSecret(c.dataDir);
  }

  c.adminUsername = str(env, 'ADMIN_USERNAME') ?? 'admin';
  c.adminPassword = str(env, 'ADMIN_PASSWORD');
  if (c.adminPassword !== undefined && c.adminPassword.length < 8) {
    throw new ConfigError('ADMIN_PASSWORD must be at least 8 characters');
  }
  // Dev login and sandbox payments move no money and check no identity: on by default only where that
  // is the point (development, tests, the embedded demo), never merely because NODE_ENV was forgotten.
  const devDefaults = givenNodeEnv === 'development' || givenNodeEnv === 'test' || (givenNodeEnv === undefined && !c.databaseUrl);
  c.authDevLogin = bool(env, 'AUTH_DEV_LOGIN', devDefaults);
  if (production && c.authDevLogin) {
    throw new ConfigError(
      'refusing to start: AUTH_DEV_LOGIN=true is not allowed when NODE_ENV=production (anyone could log in as any openId)',
    );
  }

  const givenProvider = str(env, 'PAYMENT_PROVIDER');
  const provider = givenProvider ?? (devDefaults ? 'sandbox' : 'wechat');
  if (provider !== 'sandbox' && provider !== 'wechat') {
    throw new ConfigError(`PAYMENT_PROVIDER must be sandbox or wechat, got "${provider}"`);
  }
  if (production && provider === 'sandbox') {
    throw new ConfigError(
      'refusing to start: PAYMENT_PROVIDER=sandbox is not allowed when NODE_ENV=production (orders would be paid without money moving)',
    );
  }
  c.paymentProvider = provider;
  c.orderPayTimeoutSeconds = int(env, 'ORDER_PAY_TIMEOUT_SECONDS', 900, 1, 7 * 24 * 3600);
  c.jobsEnabled = bool(env, 'JOBS_ENABLED', true);
  c.jobIntervalSeconds = int(env, 'JOB_INTERVAL_SECONDS', 30, 1, 24 * 3600);
  c.loginRateLimitPerMinute = int(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 30, 1, 1_000_000);
  c.maxUnpaidCheckouts = int(env, 'MAX_UNPAID_CHECKOUTS', 5, 1, 1_000_000);
  c.orderRateLimitPerMinute = int(env, 'ORDER_RATE_LIMIT_PER_MINUTE', 30, 1, 1_000_000);
  c.appTz = str(env, 'APP_TZ') ?? 'Asia/Shanghai';
  if (!isValidTimeZone(c.appTz)) throw new ConfigError(`APP_TZ is not a known time zone: "${c.appTz}"`);
  c.logLevel = str(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(c.logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }

  c.wechat = {
    appId: str(env, 'WECHAT_APPID'),
    secret: str(env, 'WECHAT_SECRET'),
    apiBase: (str(env, 'WECHAT_API_BASE') ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
  };
  c.wechatPay = {
    mchId: str(env, 'WECHATPAY_MCHID'),
    serialNo: str(env, 'WECHATPAY_SERIAL_NO'),
    privateKey: pem(env, 'WECHATPAY_PRIVATE_KEY'),
    apiV3Key: str(env, 'WECHATPAY_APIV3_KEY'),
    publicKey: pem(env, 'WECHATPAY_PUBLIC_KEY'),
    publicKeyId: str(env, 'WECHATPAY_PUBLIC_KEY_ID'),
    notifyUrl: str(env, 'WECHATPAY_NOTIFY_URL'),
    baseUrl: (str(env, 'WECHATPAY_BASE_URL') ?? 'https://api.mch.weixin.qq.com').replace(/\/+$/, ''),
  };
  if (c.paymentProvider === 'wechat') {
    const missing = [
      ['WECHAT_APPID', c.wechat.appId],
      ['WECHATPAY_MCHID', c.wechatPay.mchId],
      ['WECHATPAY_SERIAL_NO', c.wechatPay.serialNo],
      ['WECHATPAY_PRIVATE_KEY', c.wechatPay.privateKey],
      ['WECHATPAY_APIV3_KEY', c.wechatPay.apiV3Key],
      ['WECHATPAY_PUBLIC_KEY', c.wechatPay.publicKey],
      ['WECHATPAY_PUBLIC_KEY_ID', c.wechatPay.publicKeyId],
      ['WECHATPAY_NOTIFY_URL', c.wechatPay.notifyUrl],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length) {
      const why = givenProvider ? '' : ' (the default unless NODE_ENV is development or test, or the embedded demo without DATABASE_URL)';
      const way = production ? 'set them' : 'set them, or set PAYMENT_PROVIDER=sandbox explicitly';
      throw new ConfigError(`refusing to start: PAYMENT_PROVIDER=wechat${why} needs ${missing.join(', ')}; ${way}`);
    }
    if (c.wechatPay.apiV3Key && Buffer.byteLength(c.wechatPay.apiV3Key) !== 32) {
      throw new ConfigError('WECHATPAY_APIV3_KEY must be 32 bytes');
    }
  }
  c.seedDemo = bool(env, 'SEED_DEMO', !c.databaseUrl);
  return c;
}

/** Settings that are allowed in production only because someone set them on purpose: worth one loud line each. */
export function productionWarnings(c: AppConfig): string[] {
  if (!c.production) return [];
  const w: string[] = [];
  if (!c.databaseUrl) w.push('no DATABASE_URL in production: using the embedded SQLite file');
  return w;
}
