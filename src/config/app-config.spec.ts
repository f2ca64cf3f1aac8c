import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, productionWarnings } from './app-config';

const SECRET = 'x'.repeat(40);
const WECHAT = {
  WECHAT_APPID: 'wx123',
  WECHATPAY_MCHID: '1900000001',
  WECHATPAY_SERIAL_NO: 'SERIAL',
  WECHATPAY_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
  WECHATPAY_APIV3_KEY: 'k'.repeat(32),
  WECHATPAY_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
  WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_1',
  WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/group/pay/notify/wechat',
};

describe(loadConfig.name, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-cfg-'));

  it('has the contract defaults outside production', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dbPoolSize).toBe(10);
    expect(c.adminUsername).toBe('admin');
    expect(c.adminPassword).toBeUndefined();
    expect(c.authDevLogin).toBe(true);
    expect(c.paymentProvider).toBe('sandbox');
    expect(c.orderPayTimeoutSeconds).toBe(900);
    expect(c.jobsEnabled).toBe(true);
    expect(c.jobIntervalSeconds).toBe(30);
    expect(c.loginRateLimitPerMinute).toBe(30);
    expect(c.maxUnpaidCheckouts).toBe(5);
    expect(c.orderRateLimitPerMinute).toBe(30);
    expect(c.appTz).toBe('Asia/Shanghai');
    expect(c.wechat.apiBase).toBe('https://api.weixin.qq.com');
    expect(c.wechatPay.baseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(c.seedDemo).toBe(true);
  });

  it('generates a dev JWT secret once and keeps it in DATA_DIR', () => {
    const a = loadConfig({ DATA_DIR: dataDir });
    const b = loadConfig({ DATA_DIR: dataDir });
    expect(a.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(b.jwtSecret).toBe(a.jwtSecret);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(a.jwtSecret);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ DB_POOL_SIZE: '0' }, /DB_POOL_SIZE/],
    [{ JOBS_ENABLED: 'maybe' }, /JOBS_ENABLED/],
    [{ PAYMENT_PROVIDER: 'alipay' }, /PAYMENT_PROVIDER/],
    [{ APP_TZ: 'Mars/Base' }, /APP_TZ/],
    [{ DATABASE_URL: 'postgres://x' }, /DATABASE_URL/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET/],
    [{ MAX_UNPAID_CHECKOUTS: '0' }, /MAX_UNPAID_CHECKOUTS/],
    [{ MAX_UNPAID_CHECKOUTS: '2.5' }, /MAX_UNPAID_CHECKOUTS must be an integer/],
    [{ ORDER_RATE_LIMIT_PER_MINUTE: '0' }, /ORDER_RATE_LIMIT_PER_MINUTE/],
    [{ ORDER_RATE_LIMIT_PER_MINUTE: 'many' }, /ORDER_RATE_LIMIT_PER_MINUTE must be an integer/],
  ])('rejects %j', (env, msg) => {
    expect(() => loadConfig({ DATA_DIR: dataDir, ...env })).toThrow(msg);
  });

  it('reads MAX_UNPAID_CHECKOUTS and ORDER_RATE_LIMIT_PER_MINUTE', () => {
    const c = loadConfig({ DATA_DIR: dataDir, MAX_UNPAID_CHECKOUTS: '2', ORDER_RATE_LIMIT_PER_MINUTE: '120' });
    expect(c.maxUnpaidCheckouts).toBe(2);
    expect(c.orderRateLimitPerMinute).toBe(120);
  });

  describe('dev login and sandbox payments default on only for development, test and the embedded demo', () => {
    it.each([
      [{ NODE_ENV: 'development' }, true],
      [{ NODE_ENV: 'test' }, true],
      [{ NODE_ENV: 'development', DATABASE_URL: 'mysql://u:p@db:3306/x' }, true],
      [{ NODE_ENV: 'test', DATABASE_URL: 'mysql://u:p@db:3306/x' }, true],
      [{}, true],
    ])('%j → dev login on, sandbox', (env, on) => {
      const c = loadConfig({ DATA_DIR: dataDir, ...env });
      expect(c.authDevLogin).toBe(on);
      expect(c.paymentProvider).toBe('sandbox');
    });

    it.each([
      [{ DATABASE_URL: 'mysql://u:p@db:3306/x' }],
      [{ NODE_ENV: 'staging' }],
      [{ NODE_ENV: 'staging', DATABASE_URL: 'mysql://u:p@db:3306/x' }],
    ])('%j → dev login off, wechat', (env) => {
      const c = loadConfig({ DATA_DIR: dataDir, ...env, ...WECHAT });
      expect(c.authDevLogin).toBe(false);
      expect(c.paymentProvider).toBe('wechat');
    });

    it('an unset NODE_ENV with a DATABASE_URL defaults to wechat and names the missing settings', () => {
      expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'mysql://u:p@db:3306/x' })).toThrow(
        /PAYMENT_PROVIDER=wechat.*WECHATPAY_MCHID/,
      );
    });

    it('outside production both can still be chosen explicitly', () => {
      const c = loadConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: 'mysql://u:p@db:3306/x',
        AUTH_DEV_LOGIN: 'true',
        PAYMENT_PROVIDER: 'sandbox',
      });
      expect(c.authDevLogin).toBe(true);
      expect(c.paymentProvider).toBe('sandbox');
    });
  });

  describe('in production', () => {
    it('refuses to start without JWT_SECRET', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', ...WECHAT })).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: 'production', ...WECHAT })).toThrow(/JWT_SECRET is required/);
    });

    it('refuses a short JWT_SECRET', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31), ...WECHAT })).toThrow(/at least 32/);
    });

    it('defaults to wechat payments and refuses to start without the WeChat Pay settings, naming them', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET })).toThrow(/PAYMENT_PROVIDER=wechat.*WECHATPAY_MCHID/);
    });

    it('turns dev login off and starts with full WeChat settings', () => {
      const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...WECHAT });
      expect(c.paymentProvider).toBe('wechat');
      expect(c.authDevLogin).toBe(false);
      expect(productionWarnings(c)).toEqual(['no DATABASE_URL in production: using the embedded SQLite file']);
    });

    it('refuses an explicit AUTH_DEV_LOGIN=true in one line', () => {
      const env = { NODE_ENV: 'production', JWT_SECRET: SECRET, DATABASE_URL: 'mysql://u:p@db:3306/x', AUTH_DEV_LOGIN: 'true', ...WECHAT };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^refusing to start: AUTH_DEV_LOGIN=true is not allowed when NODE_ENV=production[^\n]*$/);
    });

    it('refuses an explicit PAYMENT_PROVIDER=sandbox in one line', () => {
      const env = { NODE_ENV: 'production', JWT_SECRET: SECRET, DATABASE_URL: 'mysql://u:p@db:3306/x', PAYMENT_PROVIDER: 'sandbox' };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^refusing to start: PAYMENT_PROVIDER=sandbox is not allowed when NODE_ENV=production[^\n]*$/);
    });

    it('accepts an explicit AUTH_DEV_LOGIN=false', () => {
      const c = loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        DATABASE_URL: 'mysql://u:p@db:3306/x',
        AUTH_DEV_LOGIN: 'false',
        ...WECHAT,
      });
      expect(c.authDevLogin).toBe(false);
      expect(productionWarnings(c)).toEqual([]);
    });
  });
});
