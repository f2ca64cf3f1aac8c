import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../src/config/app-config';
import { SweepService } from '../../src/jobs/sweep.service';
import { CheckoutDeductions } from '../../src/order/checkout-deductions';
import { CheckoutRepository } from '../../src/order/checkout.repository';
import { CheckoutExpiryService } from '../../src/order/checkout-expiry.service';
import { CheckoutSweepService } from '../../src/order/checkout-sweep.service';
import { DealCountersService } from '../../src/order/deal-counters.service';
import { OrderLogService } from '../../src/order/order-log.service';
import { OrderRepository } from '../../src/order/order.repository';
import { PaymentEventsService } from '../../src/order/payment-events.service';
import { PreSaleRepository } from '../../src/order/presale.repository';
import { PreSaleService } from '../../src/order/presale.service';
import { RefundService } from '../../src/order/refund.service';
import { SettlementService } from '../../src/order/settlement.service';
import { TeamClosingService } from '../../src/order/team-closing.service';
import { DealStockService } from '../../src/group-buying/deal-stock.service';
import { PaymentRecordService } from '../../src/payment/payment-record.service';
import { PAYMENT_PROVIDER, PaymentProvider } from '../../src/payment/payment-provider';
import { TeamService } from '../../src/team/team.service';
import type { TestApp } from './app';

/**
 * A second sweep worker built by hand on the app's database, with its own payment provider (another
 * instance, or one whose provider answers are scripted): the order services that talk to the provider
 * are new, everything else is the app's.
 */
export function sweepWorker(t: TestApp, provider: PaymentProvider = t.app.get<PaymentProvider>(PAYMENT_PROVIDER)): SweepService {
  const g = <T>(cls: new (...args: never[]) => T): T => t.app.get(cls);
  const config = g(AppConfig);
  const [checkouts, orders, records, audit, teams, deals, settlement] = [
    g(CheckoutRepository),
    g(OrderRepository),
    g(PaymentRecordService),
    g(OrderLogService),
    g(TeamService),
    g(DealStockService),
    g(SettlementService),
  ];
  const refunds = new RefundService(t.ds, orders, checkouts, deals, teams, records, audit, g(CheckoutDeductions), provider);
  const preSale = new PreSaleService(t.ds, g(PreSaleRepository), orders, deals, records, refunds, audit, provider);
  const payments = new PaymentEventsService(t.ds, checkouts, settlement, refunds, records, provider, preSale);
  const sweep = new CheckoutSweepService(t.ds, config, checkouts, orders, g(CheckoutExpiryService), payments, refunds, records, provider);
  const closing = new TeamClosingService(t.ds, teams, orders, checkouts, settlement, payments, refunds, audit, provider);
  return new SweepService(config, new SchedulerRegistry(), sweep, closing, g(DealCountersService), preSale);
}
