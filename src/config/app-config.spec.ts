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
  ])('rejects %j', (env, msg) => {
    expect(() => loadConfig({ DATA_DIR: dataDir, ...env })).toThrow(msg);
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

    it('allows sandbox and dev login only when set explicitly, with a warning each', () => {
      const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, PAYMENT_PROVIDER: 'sandbox', AUTH_DEV_LOGIN: 'true', DATABASE_URL: 'mysql://u:p@db:3306/x' });
      expect(c.paymentProvider).toBe('sandbox');
      expect(c.authDevLogin).toBe(true);
      expect(productionWarnings(c)).toHaveLength(2);
    });
  });
});
