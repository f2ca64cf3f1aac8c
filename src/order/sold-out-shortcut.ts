import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, VerifiedTokens } from '../auth/verified-tokens';
import { errorBody } from '../common/envelope';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { DealStockService } from '../group-buying/deal-stock.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { orderRateKey, orderRateLimited } from './checkout-request';
import { simpleCreateOrder } from './dto/checkout.dto';

export const CREATE_ORDER_ROUTE = '/api/group/order/createOrder';

/**
 * The sold-out storm answered before the Nest pipeline (contract §5, 409/1002). A createOrder for one line of
 * a deal this instance saw short of stock within the last second (SoldOutRegistry) is answered here, without
 * reading the deal, when everything else about it is already known to be what the whole way would accept:
 *  - a storefront token this instance has verified (VerifiedTokens; any other token takes the whole way,
 *    where the guard answers 401/403);
 *  - a body that validation would pass as it is (`simpleCreateOrder`);
 *  - no Idempotency-Key (a retry is answered from its key, §5).
 * The call is still counted on the user's shared createOrder counter first (§12, RateLimitService, whose
 * statements count many requests at once), so the answer is the whole way's: 429 beyond the limit, else
 * 1002 with the same status, body and message.
 */
@Injectable()
export class SoldOutShortcut {
  constructor(
    private readonly tokens: VerifiedTokens,
    private readonly deals: DealStockService,
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('preHandler', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (req.method !== 'POST' || req.routeOptions.url !== CREATE_ORDER_ROUTE) return done();
      const answer = this.answer(req);
      if (!answer) return done();
      answer.then(
        (e) => void reply.code(e.http).send(errorBody(CREATE_ORDER_ROUTE, e.status, e.message)),
        // the counter could not be reached: the whole way tries again and answers as it does
        () => done(),
      );
    });
  }

  /** The refusal to send, when the request is one this shortcut answers; undefined sends it the whole way. */
  answer(req: FastifyRequest): Promise<DomainError> | undefined {
    if (req.headers['idempotency-key'] !== undefined) return undefined;
    const dto = simpleCreateOrder(req.body);
    if (!dto) return undefined;
    const line = { productId: dto.goods[0].product_id, quantity: dto.goods[0].quantity };
    const token = bearerToken(req.headers);
    const identity = token === undefined ? undefined : this.tokens.get(token);
    if (identity?.kind !== 'user') return undefined;
    const short = this.deals.knownShort(line.productId, line.quantity, new Date());
    if (!short) return undefined;
    const limit = this.config.orderRateLimitPerMinute;
    return this.limits
      .hit(orderRateKey(identity.userId), limit, 60)
      .then((h) => (h.allowed ? DomainError.soldOut(`${short.name} 库存不足 (only ${short.stock} left)`) : orderRateLimited(limit)));
  }
}
