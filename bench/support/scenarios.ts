/** The four scenarios: what the app and its baseline are sent, and which answer counts. */
import type { HttpRequest } from './load';
import type { Child } from './processes';
import { bearer, call, ORDERS_PER_LIST_USER, Seed } from './seed';

export const SCENARIOS = ['hot-deal', 'sold-out', 'detail', 'order-list'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export interface Server {
  name: string;
  child: Child;
  base: string;
  /** answers 200 once the server is up */
  ready: string;
  /** side-effect-free request the load switches to after the window */
  drain: HttpRequest;
}

export interface Side {
  server: Server;
  request: (i: number) => HttpRequest;
  expected: (status: number, body: string) => boolean;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  baseline: string;
  minRatio: number;
  maxP99?: number;
  app: Side;
  base: Side;
}

export const is2xx = (status: number) => status >= 200 && status < 300;
const json = { 'content-type': 'application/json' };

export function scenarios(s: Seed, app: Server, order: Server, reads: Server, ping: Server): Scenario[] {
  const auth = s.users.map(bearer);
  const buyerAuth = s.buyers.map(bearer);
  const listAuth = s.listUsers.map(bearer);
  const buyerIds = s.buyers.map((u) => ({ 'x-user-id': String(u.id) }));
  const pick = <T>(list: T[], i: number) => list[i % list.length];
  const createOrder = (dealId: number) => JSON.stringify({ goods: [{ product_id: dealId, quantity: 1 }] });
  const hotBody = createOrder(s.hotDeal);
  const soldOutBody = createOrder(s.soldOutDeal);
  const baseOrderBody = JSON.stringify({ product_id: s.baselineHotDeal, quantity: 1 });
  return [
    {
      id: 'hot-deal',
      title: 'hot-deal createOrder',
      baseline: '(a) bare order transaction',
      minRatio: 1.0,
      maxP99: 100,
      app: {
        server: app,
        request: (i) => ({
          method: 'POST',
          path: '/api/group/order/createOrder',
          headers: { ...json, ...pick(buyerAuth, i) },
          body: hotBody,
        }),
        expected: is2xx,
      },
      base: {
        server: order,
        request: (i) => ({ method: 'POST', path: '/order', headers: { ...json, ...pick(buyerIds, i) }, body: baseOrderBody }),
        expected: is2xx,
      },
    },
    {
      id: 'sold-out',
      title: 'sold-out createOrder (409/1002)',
      baseline: '(c) Nest-on-Fastify GET /ping',
      minRatio: 0.5,
      app: {
        server: app,
        request: (i) => ({
          method: 'POST',
          path: '/api/group/order/createOrder',
          headers: { ...json, ...pick(auth, i) },
          body: soldOutBody,
        }),
        expected: (status, body) => status === 409 && body.includes('"status":1002'),
      },
      base: { server: ping, request: () => ({ method: 'GET', path: '/ping' }), expected: is2xx },
    },
    {
      id: 'detail',
      title: 'GET groupbuying/detail/{id}',
      baseline: '(b) JWT + SELECT deal JOIN shop',
      minRatio: 1.0,
      app: {
        server: app,
        request: (i) => ({ method: 'GET', path: `/api/group/groupbuying/detail/${s.detailDeal}`, headers: pick(auth, i) }),
        expected: is2xx,
      },
      base: {
        server: reads,
        request: (i) => ({ method: 'GET', path: `/detail/${s.detailDeal}`, headers: pick(auth, i) }),
        expected: is2xx,
      },
    },
    {
      id: 'order-list',
      title: `POST order/order_list (${ORDERS_PER_LIST_USER} orders)`,
      baseline: '(b) JWT + SELECT orders LIMIT 10',
      minRatio: 0.5,
      app: {
        server: app,
        request: (i) => ({ method: 'POST', path: '/api/group/order/order_list', headers: { ...json, ...pick(listAuth, i) }, body: '{}' }),
        expected: is2xx,
      },
      base: {
        server: reads,
        request: (i) => ({ method: 'POST', path: '/orders', headers: { ...json, ...pick(listAuth, i) }, body: '{}' }),
        expected: is2xx,
      },
    },
  ];
}

/** One request of each kind before any load, to stop early with the answer when something is off. */
export async function probe(list: Scenario[], counts: Map<string, number>): Promise<void> {
  for (const sc of list) {
    for (const [side, label] of [
      [sc.app, 'app'],
      [sc.base, 'baseline'],
    ] as const) {
      const r = side.request(0);
      const a = await call(side.server.base, r.method, r.path, r.body === undefined ? undefined : JSON.parse(r.body), r.headers);
      if (!side.expected(a.status, JSON.stringify(a.body)))
        throw new Error(`${sc.id} ${label}: unexpected first answer HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 400)}`);
      if (is2xx(a.status)) counts.set(`${sc.id}:${label}`, (counts.get(`${sc.id}:${label}`) ?? 0) + 1);
      if (sc.id === 'order-list') {
        const n = label === 'app' ? a.body.data.total : a.body.data.list.length;
        if (n !== ORDERS_PER_LIST_USER) throw new Error(`${sc.id} ${label}: ${n} orders listed, ${ORDERS_PER_LIST_USER} expected`);
      }
    }
  }
}
