import Big from 'big.js';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { formatDate } from '../../common/time';

const ORDER_INDEXES: Array<[string, string]> = [
  ['idx_order_deal_time', '`group_buying_id`, `create_time`'],
  ['idx_order_shop_time', '`shop_id`, `create_time`'],
  ['idx_order_tenant_deliver', '`tenant_id`, `deliver_type`, `create_time`'],
  ['idx_order_tenant_money', '`tenant_id`, `money`'],
  ['idx_order_tenant_qty', '`tenant_id`, `qty`'],
  ['idx_order_tenant_sequence', '`tenant_id`, `sequence`'],
  ['idx_order_tenant_phone', '`tenant_id`, `phone`'],
];

/**
 * Admin order lists at scale: order_rollup (count, qty, money per tenant, APP_TZ day, shop, deal,
 * status, deliver type) answers totalCount/sumData instead of a COUNT/SUM over every matching order,
 * filled here from the existing orders; and one index per list sort and filter, so a page is read
 * from an index in order. The rollup's day is the APP_TZ day: changing APP_TZ later needs a rebuild
 * (OrderRollupRepository.rebuild).
 */
export class OrderRollup1795420000000 implements MigrationInterface {
  name = 'OrderRollup1795420000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TABLE `order_rollup` (`tenant_id` int NOT NULL, `day` date NOT NULL, `shop_id` int NOT NULL, `group_buying_id` int NOT NULL, `status` tinyint NOT NULL, `deliver_type` tinyint NOT NULL, `order_count` int NOT NULL DEFAULT '0', `qty` bigint NOT NULL DEFAULT '0', `money` decimal(12,2) NOT NULL DEFAULT '0.00', INDEX `idx_rollup_deal` (`tenant_id`, `group_buying_id`, `day`), PRIMARY KEY (`tenant_id`, `day`, `shop_id`, `group_buying_id`, `status`, `deliver_type`)) ENGINE=InnoDB",
    );
    for (const [name, cols] of ORDER_INDEXES) await queryRunner.query(`CREATE INDEX \`${name}\` ON \`group_buying_order\` (${cols})`);
    // existing orders: grouped per 15-minute UTC slot (each lies within one local day), summed per APP_TZ day
    const slots: Array<Record<string, string | number>> = await queryRunner.query(
      "SELECT CONCAT(DATE_FORMAT(create_time, '%Y-%m-%d %H:'), LPAD(FLOOR(MINUTE(create_time) / 15) * 15, 2, '0')) AS slot, tenant_id AS t, shop_id AS s, group_buying_id AS g, status AS st, deliver_type AS dt, COUNT(*) AS n, SUM(qty) AS q, SUM(money) AS m FROM group_buying_order GROUP BY 1, 2, 3, 4, 5, 6",
    );
    const sums = new Map<string, unknown[]>();
    for (const r of slots) {
      const day = formatDate(new Date(`${String(r.slot).replace(' ', 'T')}:00Z`))!.slice(0, 10);
      const key = [r.t, day, r.s, r.g, r.st, r.dt].join('|');
      const row = sums.get(key) ?? [r.t, day, r.s, r.g, r.st, r.dt, 0, 0, new Big(0)];
      row[6] = Number(row[6]) + Number(r.n);
      row[7] = Number(row[7]) + Number(r.q);
      row[8] = (row[8] as Big).plus(String(r.m));
      sums.set(key, row);
    }
    const all = [...sums.values()].map((r) => [...r.slice(0, 8), (r[8] as Big).toFixed(2)]);
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      await queryRunner.query(
        `INSERT INTO order_rollup (tenant_id, day, shop_id, group_buying_id, status, deliver_type, order_count, qty, money) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of ORDER_INDEXES) await queryRunner.query(`DROP INDEX \`${name}\` ON \`group_buying_order\``);
    await queryRunner.query('DROP TABLE `order_rollup`');
  }
}
