import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coupons given back when checkouts expire or are cancelled are found by the checkout's pay_no: without
 * this index every release read the whole member_coupon table (and the sweep's batches lock by it).
 */
export class MemberCouponPayNoIndex1795430000000 implements MigrationInterface {
  name = 'MemberCouponPayNoIndex1795430000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX `idx_mc_pay_no` ON `member_coupon` (`pay_no`)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_mc_pay_no` ON `member_coupon`');
  }
}
