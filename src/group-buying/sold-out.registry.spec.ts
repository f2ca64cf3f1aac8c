import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { DealWindowRow } from './deal.repository';
import { SOLD_OUT_TTL_MS, SoldOutRegistry } from './sold-out.registry';

const HOUR = 3_600_000;
const T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);

const deal = (over: Partial<DealWindowRow> = {}): DealWindowRow => ({
  id: 7,
  name: '秒杀',
  stock: 0,
  in_use: 1,
  deleted_at: null,
  start_time: new Date(T0.getTime() - HOUR),
  end_time: new Date(T0.getTime() + HOUR),
  ...over,
});

function setup() {
  const ds = { subscribers: [] as unknown[] };
  const sut = new SoldOutRegistry(ds as unknown as DataSource);
  sut.onModuleInit();
  const qr = { isTransactionActive: true } as unknown as QueryRunner;
  const em = { queryRunner: qr } as unknown as EntityManager;
  return { sut, ds, qr, em };
}

describe(SoldOutRegistry.name, () => {
  it('refuses more than the stock it saw, for the TTL only', () => {
    const { sut } = setup();
    sut.seen(deal({ stock: 2 }), sut.stamp(), T0.getTime());
    expect(sut.short(7, 3, T0)).toMatchObject({ id: 7, name: '秒杀', stock: 2 });
    expect(sut.short(7, 2, T0)).toBeUndefined();
    expect(sut.short(7, 3, at(SOLD_OUT_TTL_MS - 1))).toBeDefined();
    expect(sut.short(7, 3, at(SOLD_OUT_TTL_MS))).toBeUndefined();
    expect(sut.short(8, 1, T0)).toBeUndefined();
  });

  it('leaves a deal no longer on sale to the database (its own 1001 reason)', () => {
    const { sut } = setup();
    sut.seen(deal({ end_time: at(500) }), sut.stamp(), T0.getTime());
    expect(sut.short(7, 1, at(499))).toBeDefined();
    expect(sut.short(7, 1, at(500))).toBeUndefined();
    sut.seen(deal({ in_use: 0 }), sut.stamp(), T0.getTime());
    expect(sut.short(7, 1, T0)).toBeUndefined();
  });

  it('a clear forgets the flag, and a read that started before the clear cannot set it again', () => {
    const { sut } = setup();
    const now = Date.now();
    sut.seen(deal(), sut.stamp(), now);
    const staleRead = sut.stamp();
    sut.cleared(7);
    expect(sut.short(7, 1, new Date(now))).toBeUndefined();
    sut.seen(deal(), staleRead, now);
    expect(sut.short(7, 1, new Date(now))).toBeUndefined();
    sut.seen(deal(), sut.stamp(), now);
    expect(sut.short(7, 1, new Date(now))).toBeDefined();
  });

  it('stock returned in a transaction clears again when it commits (a read in between saw the old stock), not after a rollback', () => {
    const { sut, ds, qr, em } = setup();
    const now = Date.now();
    expect(ds.subscribers).toContain(sut);
    sut.cleared(7, em);
    sut.seen(deal(), sut.stamp(), now); // read the committed stock 0 before the COMMIT
    expect(sut.short(7, 1, new Date(now))).toBeDefined();
    sut.afterTransactionCommit({ queryRunner: qr } as never);
    expect(sut.short(7, 1, new Date(now))).toBeUndefined();

    sut.cleared(7, em);
    sut.afterTransactionRollback({ queryRunner: qr } as never);
    sut.seen(deal(), sut.stamp(), now);
    sut.afterTransactionCommit({ queryRunner: qr } as never);
    expect(sut.short(7, 1, new Date(now))).toBeDefined();
  });

  it('stays bounded: thousands of deals seen keep it answering', () => {
    const { sut } = setup();
    const old = Date.now() - 60_000;
    for (let id = 1; id <= 10_000; id++) sut.seen(deal({ id }), sut.stamp(), old);
    sut.seen(deal({ id: 20_000 }), sut.stamp(), Date.now());
    expect(sut.short(20_000, 1, new Date())).toBeDefined();
    expect(sut.short(1, 1, new Date())).toBeUndefined();
  });
});
