/** The benchmark's data, made through the app's own API (admin login, shop, deals, storefront logins, orders). */

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed } as Answer;
}

export function expectOk(what: string, a: Answer): Answer {
  if (a.status !== 200) throw new Error(`${what}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`);
  return a;
}

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai (UTC+8 all year, no DST). */
function shanghai(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export interface StoreUser {
  id: number;
  token: string;
}

export interface Seed {
  shopId: number;
  /** createOrder load on the app */
  hotDeal: number;
  /** the same transaction on baseline-server.js, kept apart so each side's counts check on their own */
  baselineHotDeal: number;
  soldOutDeal: number;
  detailDeal: number;
  listDeal: number;
  users: StoreUser[];
  /** users holding exactly ORDERS_PER_LIST_USER orders (none of them takes part in the hot-deal load) */
  listUsers: StoreUser[];
  /** the rest: the hot-deal shoppers */
  buyers: StoreUser[];
}

export const ORDERS_PER_LIST_USER = 5;

export interface SeedOptions {
  adminUsername: string;
  adminPassword: string;
  users: number;
  listUsers: number;
  hotStock: number;
  withListOrders: boolean;
}

const orderBody = (dealId: number) => ({ goods: [{ product_id: dealId, quantity: 1 }] });
export const bearer = (u: StoreUser) => ({ 'Authori-Zation': `Bearer ${u.token}` });

export async function seed(base: string, o: SeedOptions, log: (line: string) => void): Promise<Seed> {
  const admin = expectOk(
    'admin login',
    await call(base, 'POST', '/api/marketing/auth/login', { username: o.adminUsername, password: o.adminPassword }),
  ).body.data.token as string;
  const auth = { Authorization: `Bearer ${admin}` };
  const shopId = Number(
    expectOk(
      'shop create',
      await call(
        base,
        'POST',
        '/api/marketing/shop/create',
        { name: '秒杀门店 bench', address: '广州市白云区', phone: '020-12345678', lbs: '113.26,23.13' },
        auth,
      ),
    ).body.data,
  );
  const now = Date.now();
  const newDeal = async (label: string, stock: number) =>
    Number(
      expectOk(
        `deal create (${label})`,
        await call(
          base,
          'POST',
          '/api/marketing/groupbuying/create',
          {
            shopId,
            name: `秒杀 ${label}`,
            productName: `秒杀商品 ${label}`,
            description: '限时秒杀，每人每单 1 件，门店自提。',
            spec: '1份',
            price: 9.9,
            stock,
            startTime: shanghai(new Date(now - 24 * 3600_000)),
            endTime: shanghai(new Date(now + 30 * 24 * 3600_000)),
            deliverType: 1,
          },
          auth,
        ),
      ).body.data,
    );
  const listUserCount = o.withListOrders ? Math.min(o.listUsers, o.users - 1) : 0;
  const hotDeal = await newDeal('hot', o.hotStock);
  const baselineHotDeal = await newDeal('hot baseline', o.hotStock);
  const soldOutDeal = await newDeal('sold out', 0);
  const detailDeal = await newDeal('detail', 1000);
  const listDeal = await newDeal('order list', Math.max(1, listUserCount * ORDERS_PER_LIST_USER));

  const t0 = Date.now();
  const users = await mapLimit(
    Array.from({ length: o.users }, (_, i) => `bench-user-${i}`),
    16,
    async (openId) => {
      const a = expectOk('user login', await call(base, 'POST', '/api/group/auth/login', { openId, nickname: openId }));
      return { token: a.body.data.token as string, id: Number(a.body.data.user.id) };
    },
  );
  log(`${users.length} storefront users logged in (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const listUsers = users.slice(0, listUserCount);
  const t1 = Date.now();
  await mapLimit(
    listUsers.flatMap((u) => Array.from({ length: ORDERS_PER_LIST_USER }, () => u)),
    16,
    async (u) => expectOk('order for order_list', await call(base, 'POST', '/api/group/order/createOrder', orderBody(listDeal), bearer(u))),
  );
  if (listUsers.length)
    log(`${listUsers.length} users given ${ORDERS_PER_LIST_USER} orders each (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
  return { shopId, hotDeal, baselineHotDeal, soldOutDeal, detailDeal, listDeal, users, listUsers, buyers: users.slice(listUserCount) };
}
