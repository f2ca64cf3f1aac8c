import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { MemberWalletService } from '../member/member-wallet.service';
import { applyDeductions, CheckoutPricing, DeductedPricing, DeductionCode } from '../pricing/pricing';
import { DomainError } from '../common/errors';
import { CheckoutRepository } from './checkout.repository';
import type { ComputeOrderDto, CreateOrderDto } from './dto/checkout.dto';
import { OrderRepository } from './order.repository';
import { PRE_SALE_NO_DEDUCTION } from './presale.checkout';

/** `deduction_ids`, or those of seed 003's `orders` JSON, points first. */
export function deductionsWanted(dto: ComputeOrderDto): DeductionCode[] {
  const ids = new Set<string>([...(dto.deduction_ids ?? []), ...(dto.orders ?? []).flatMap((o) => o.deduction_ids ?? [])]);
  return (['point', 'balance'] as const).filter((c) => ids.has(c));
}

/** The buyer's remark: `remark`, else the `note` of seed 003's `orders` JSON. */
export function remarkOf(dto: CreateOrderDto): string {
  return dto.remark ?? dto.orders?.find((o) => o.note)?.note ?? '';
}

/**
 * The checkout's side of the member wallet (contract §11): prices the deductions (pure pricing, the
 * wallet read as an input) and, inside createOrder's transaction, debits them and records each
 * order's share; completion rewards and refunds go through `completed` / `refunded`.
 */
@Injectable()
export class CheckoutDeductions {
  constructor(
    private readonly wallets: MemberWalletService,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
  ) {}

  /** The coupon-priced checkout with the wallet applied (points, then balance) as the request asks. */
  async apply(
    userId: number,
    tenantId: number,
    pricing: CheckoutPricing,
    dto: ComputeOrderDto,
    opts: { preSale: boolean; strict: boolean },
  ): Promise<DeductedPricing> {
    let wanted = deductionsWanted(dto);
    // §10: no wallet deductions on a pre-sale order (createOrder refuses them, computedOrder ignores them)
    if (opts.preSale && wanted.length) {
      if (opts.strict) throw DomainError.cannotBuy(PRE_SALE_NO_DEDUCTION);
      wanted = [];
    }
    const terms = await this.wallets.termsFor(userId, tenantId);
    return applyDeductions(pricing, terms, wanted);
  }

  /** Inside createOrder's transaction, after the orders are written: shares, invoice, then the conditional debit. */
  async record(
    em: EntityManager,
    c: { checkoutId: number; tenantId: number; userId: number; codes: string[]; pricing: DeductedPricing; invoice: string | null },
  ): Promise<void> {
    const d = c.pricing.deductions;
    if (d.total.gt(0) || c.invoice) await this.checkouts.setDeductionAndInvoice(em, c.checkoutId, d.total, c.invoice);
    if (d.total.eq(0)) return;
    await this.orders.setDeductionShares(
      em,
      c.codes.map((code, i) => ({ code, amount: d.shares[i].deductionPrice })),
    );
    await this.wallets.debitForCheckout(em, {
      tenantId: c.tenantId,
      userId: c.userId,
      checkoutId: c.checkoutId,
      shares: c.codes.map((orderCode, i) => ({ orderCode, pointCoins: d.shares[i].pointCoins, balanceMoney: d.shares[i].balanceMoney })),
    });
  }

  /** An order became 4 (completed): its reward points, once. */
  async completed(em: EntityManager, orderId: number): Promise<void> {
    const o = await this.orders.find(em, orderId);
    if (!o) return;
    await this.wallets.rewardOrder(em, {
      tenantId: Number(o.tenant_id),
      userId: Number(o.user_id),
      orderCode: o.code,
      money: moneyOf(o.money),
    });
  }

  /** An order was refunded: its deduction share back, its reward points taken back. */
  async refunded(em: EntityManager, o: { tenant_id: number; user_id: number; code: string }): Promise<void> {
    await this.wallets.refundOrder(em, { tenantId: Number(o.tenant_id), userId: Number(o.user_id), orderCode: o.code });
  }
}

const moneyOf = (v: string | number) => new Big(String(v));
