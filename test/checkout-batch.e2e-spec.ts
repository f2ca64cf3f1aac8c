import type { Response } from 'supertest';
import { CouponRepository } from '../src/coupon/coupon.repository';
import { DealRepository } from '../src/group-buying/deal.repository';
import { MemberRepository } from '../src/member/member.repository';
import { CheckoutBatcher } from '../src/order/checkout-batcher';
import { CheckoutRepository } from '../src/order/checkout.repository';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import { adminToken, checkout, createOrder, loginUser, makeDeal, newTenantWithShop, Tenant, User } from './support/builders';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * createOrder's batch path (src/order/checkout-batcher.ts): one-line carts of one deal that arrive while
 * the previous batch commits are written by one transaction. Every rule of a single checkout holds, per
 * checkout, with two instances.
 */
describe('Checkout batches on a hot deal (MariaDB, two instances)', () => {
  let t: TestApp;
  let second: Instance;
  let a: Tenant & { shopId: number };
  let n = 0;
  const batchSizes: number[] = [];

  beforeAll(async () => {
    const env = { LOGIN_RATE_LIMIT_PER_MINUTE: '1000000', MAX_UNPAID_CHECKOUTS: '2' };
    t = await bootApp('checkout-batch', env);
    second = await secondInstance(t, env);
    a = await newTenantWithShop(t, await adminToken(t), 'Batch');
    const repo = t.app.get(CheckoutRepository);
    const insertMany = repo.insertMany.bind(repo);
    jest.spyOn(repo, 'insertMany').mockImplementation((em, list) => {
      batchSizes.push(list.length);
      return insertMany(em, list);
    });
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const users = (k: number): Promise<User[]> => Promise.all(Array.from({ length: k }, () => loginUser(t, `batch-${++n}`)));
  /** createOrder, sent at once (the answer awaited later). */
  const buy = (u: User, dealId: number, quantity = 1, http = t.http, key?: string): Promise<Response> => {
    const req = createOrder(t, u.token, { goods: [{ product_id: dealId, quantity }] }, http);
    return (key ? req.set('Idempotency-Key', key) : req).then((r) => r);
  };
  const one = async <T>(sql: string, params: unknown[]): Promise<T> => (await t.ds.query(sql, params))[0] as T;

  /** The batcher's queue of the deal in the first instance: undefined when idle, else the checkouts waiting for the next batch. */
  const queue = (dealId: number): unknown[] | undefined =>
    (t.app.get(CheckoutBatcher) as unknown as { queues: Map<number, unknown[]> }).queues.get(dealId);
  async function until(what: string, ok: () => boolean): Promise<void> {
    for (const end = Date.now() + 15_000; !ok(); await sleep(10)) if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
  }
  /** The first checkout's batch is running (waiting on the row lock) and `n` more checkouts wait behind it. */
  const queued = (dealId: number, n: number) => until(`${n} queued`, () => queue(dealId)?.length === n);

  /**
   * Holds the deal's row lock from the test's own transaction while `fire` sends checkouts, so that
   * what it sends queues behind one running batch; released once `fire` has everything queued.
   */
  async function whileLocked(dealId: number, fire: () => Promise<Promise<Response>[]>): Promise<Response[]> {
    const qr = t.ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    await qr.query('SELECT id FROM group_buying WHERE id = ? FOR UPDATE', [dealId]);
    let sent: Promise<Response>[] = [];
    try {
      sent = await fire();
    } finally {
      await qr.commitTransaction();
      await qr.release();
    }
    return Promise.all(sent);
  }

  it('200 buyers at once on two instances for 50 units: exactly 50 orders, stock 0, each buyer within its limit', async () => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 50, limitPerUser: 1 });
    const buyers = await users(200);
    batchSizes.length = 0;
    const cartReads = jest.spyOn(t.app.get(DealRepository), 'loadForCart');
    const couponReads = jest.spyOn(t.app.get(CouponRepository), 'unusedWithTemplates');
    const walletReads = jest.spyOn(t.app.get(MemberRepository), 'wallets');
    // each buyer asks twice at once, once per instance: the per-user limit (1) must hold across batches and instances
    const answers = await Promise.all(buyers.flatMap((u) => [buy(u, d.id, 1, t.http), buy(u, d.id, 1, second.http)]));
    // the first instance's 200 checkouts read their deal, their coupons and their wallets together: far fewer reads than checkouts
    expect(Math.max(...couponReads.mock.calls.map(([userIds]) => userIds.length))).toBeGreaterThan(1);
    for (const reads of [cartReads, couponReads, walletReads]) {
      expect(reads.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(reads.mock.calls.length).toBeLessThan(100);
      reads.mockRestore();
    }
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(50);
    expect(answers.filter((r) => r.status === 409 && [1001, 1002].includes(r.body.status))).toHaveLength(350);
    expect(Number((await one<{ stock: number }>('SELECT stock FROM group_buying WHERE id = ?', [d.id])).stock)).toBe(0);
    const counts = await one<{ orders: string; units: string; buyers: string; linked: string; checkouts: string; order_count: string }>(
      `SELECT COUNT(*) AS orders, SUM(o.qty) AS units, COUNT(DISTINCT o.user_id) AS buyers,
              SUM(c.pay_no = o.pay_no AND c.user_id = o.user_id AND c.total_price = o.money) AS linked,
              (SELECT COUNT(*) FROM checkout c2 WHERE c2.pay_no IN (SELECT pay_no FROM group_buying_order WHERE group_buying_id = ?)) AS checkouts,
              (SELECT order_count FROM group_buying WHERE id = ?) AS order_count
         FROM group_buying_order o JOIN checkout c ON c.id = o.checkout_id WHERE o.group_buying_id = ?`,
      [d.id, d.id, d.id],
    );
    expect(Object.values(counts).map(Number)).toEqual([50, 50, 50, 50, 50, 50]);
    // every answer's pay_no is the stored checkout of that buyer, priced 10.00
    const payNos = ok.map((r) => r.body.data.pay_no as string);
    expect(new Set(payNos).size).toBe(50);
    expect(ok.every((r) => r.body.data.total_price === '10.00' && r.body.data.orders[0].pay_price === '10.00')).toBe(true);
    // the instances did merge checkouts (50 orders in fewer transactions)
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('one batch with a buyer over the per-user limit, one over MAX_UNPAID_CHECKOUTS and one asking too much: the others are served', async () => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 8, limitPerUser: 3 });
    const [blocker, overLimit, unpaid, greedy, ...others] = await users(8);
    await checkout(t, overLimit.token, [{ product_id: d.id, quantity: 3 }]);
    const elsewhere = await makeDeal(t, a.tenantId, a.shopId, { stock: 10 });
    await checkout(t, unpaid.token, [{ product_id: elsewhere.id, quantity: 1 }]);
    await checkout(t, unpaid.token, [{ product_id: elsewhere.id, quantity: 1 }]);
    batchSizes.length = 0;
    // stock 5 left; the blocker's checkout waits on the row lock, everything else queues behind it
    const [first, ...rest] = await whileLocked(d.id, async () => {
      const b = buy(blocker, d.id);
      await queued(d.id, 0);
      const more = [buy(overLimit, d.id), buy(unpaid, d.id), buy(greedy, d.id, 5), ...others.map((u) => buy(u, d.id))];
      await queued(d.id, more.length);
      return [b, ...more];
    });
    expect(batchSizes).toEqual([1, 4]);
    expect(first.status).toBe(200);
    const [limitAnswer, unpaidAnswer, greedyAnswer, ...served] = rest;
    expect([limitAnswer.status, limitAnswer.body.status]).toEqual([409, 1001]);
    expect(limitAnswer.body.msg).toContain('超过每人限购 3 件');
    expect([unpaidAnswer.status, unpaidAnswer.body.status]).toEqual([429, 429]);
    expect(unpaidAnswer.body.msg).toContain('unpaid checkouts');
    expect([greedyAnswer.status, greedyAnswer.body.status]).toEqual([409, 1002]);
    expect(served.map((r) => [r.status, r.body.msg])).toEqual(Array(4).fill([200, 'ok']));
    // 8 − 3 (earlier) − 1 (blocker) − 4 (the batch)
    expect(Number((await one<{ stock: number }>('SELECT stock FROM group_buying WHERE id = ?', [d.id])).stock)).toBe(0);
    const { orders } = await one<{ orders: string }>('SELECT COUNT(*) AS orders FROM group_buying_order WHERE group_buying_id = ?', [d.id]);
    expect(Number(orders)).toBe(6);
    // the refused ones wrote nothing
    for (const u of [unpaid, greedy]) {
      const { c } = await one<{ c: string }>('SELECT COUNT(*) AS c FROM group_buying_order WHERE group_buying_id = ? AND user_id = ?', [
        d.id,
        u.id,
      ]);
      expect(Number(c)).toBe(0);
    }
  });

  it('when the batch asks more than is left, exactly the checkouts that fit win, in arrival order', async () => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 6 });
    const [blocker, big, small1, small2] = await users(4);
    batchSizes.length = 0;
    const answers = await whileLocked(d.id, async () => {
      const out = [buy(blocker, d.id, 2)];
      await queued(d.id, 0);
      for (const [k, [u, qty]] of (
        [
          [big, 3],
          [small1, 1],
          [small2, 1],
        ] as const
      ).entries()) {
        out.push(buy(u, d.id, qty));
        await queued(d.id, k + 1);
      }
      return out;
    });
    expect(batchSizes).toEqual([1, 2]);
    // 6 − 2 = 4 left for the batch: big (3) then small1 (1) fit, small2 does not
    expect(answers.map((r) => [r.status, r.body.status])).toEqual([
      [200, 200],
      [200, 200],
      [200, 200],
      [409, 1002],
    ]);
    expect(Number((await one<{ stock: number }>('SELECT stock FROM group_buying WHERE id = ?', [d.id])).stock)).toBe(0);
  });

  it('Idempotency-Key inside a batch: repeats get the first answer, another body is 422/801, one checkout per key', async () => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 20 });
    const [blocker, u, v] = await users(3);
    batchSizes.length = 0;
    const [, original, ...rest] = await whileLocked(d.id, async () => {
      const b = buy(blocker, d.id);
      await queued(d.id, 0);
      const first = buy(u, d.id, 2, t.http, 'batch-key');
      await queued(d.id, 1);
      const others = [1, 2, 3].map(() => buy(u, d.id, 2, t.http, 'batch-key'));
      others.push(buy(u, d.id, 1, t.http, 'batch-key'), buy(v, d.id, 1, t.http, 'batch-key'));
      await queued(d.id, 6);
      return [b, first, ...others];
    });
    const [r1, r2, r3, otherBody, stranger] = rest;
    expect(original.status).toBe(200);
    for (const r of [r1, r2, r3]) {
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual(original.body.data);
    }
    expect([otherBody.status, otherBody.body.status]).toEqual([422, 801]);
    // the key belongs to its user: another user's same key is its own checkout
    expect(stranger.status).toBe(200);
    expect(stranger.body.data.pay_no).not.toBe(original.body.data.pay_no);
    const { c } = await one<{ c: string }>('SELECT COUNT(*) AS c FROM checkout WHERE user_id = ?', [u.id]);
    expect(Number(c)).toBe(1);
    expect(Number((await one<{ stock: number }>('SELECT stock FROM group_buying WHERE id = ?', [d.id])).stock)).toBe(20 - 1 - 2 - 1);
    // a later retry is answered from the key too
    const later = await buy(u, d.id, 2, t.http, 'batch-key');
    expect(later.body.data).toEqual(original.body.data);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('a refused checkout of a batch leaves its Idempotency-Key free for a retry', async () => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 3 });
    const [blocker, u, v] = await users(3);
    const answers = await whileLocked(d.id, async () => {
      const b = buy(blocker, d.id, 2);
      await queued(d.id, 0);
      const tooMany = buy(u, d.id, 2, t.http, 'refused-key');
      await queued(d.id, 1);
      const fits = buy(v, d.id, 1);
      await queued(d.id, 2);
      return [b, tooMany, fits];
    });
    expect(answers.map((r) => r.status)).toEqual([200, 409, 200]);
    expect(answers[1].body.status).toBe(1002);
    const { c } = await one<{ c: string }>('SELECT COUNT(*) AS c FROM idempotency_key WHERE user_id = ?', [u.id]);
    expect(Number(c)).toBe(0);
  });
});
