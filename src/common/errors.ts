import { HttpStatus } from '@nestjs/common';

/** Business codes of contract §2 (seed 001's status table). */
export const Codes = {
  CANNOT_BUY: 1001, // 无法购买
  SOLD_OUT: 1002, // 已售罄
  PAY_TIMEOUT: 1003, // 支付超时
  PAID: 701, // 支付成功
  DUPLICATE_SERIAL: 801, // 流水号重复
} as const;

/**
 * A failure the client can act on. Services throw these; the one exception filter turns them
 * into the contract's envelope. `status` is the body's `status`, `http` the HTTP code.
 */
export class DomainError extends Error {
  constructor(
    readonly http: number,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    // a 4xx is an answer, not a fault: capturing its stack cost more than the rest of a 409 (500s keep theirs)
    const limit = Error.stackTraceLimit;
    if (http < 500) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }

  static badRequest(message: string, details?: unknown) {
    return new DomainError(HttpStatus.BAD_REQUEST, 400, message, details);
  }
  static unauthorized(message = '未登录或登录已过期 (missing, invalid or expired token)') {
    return new DomainError(HttpStatus.UNAUTHORIZED, 401, message);
  }
  static forbidden(message = '无权访问 (not allowed for this account)') {
    return new DomainError(HttpStatus.FORBIDDEN, 403, message);
  }
  static notFound(what = '记录') {
    return new DomainError(HttpStatus.NOT_FOUND, 404, `${what}不存在 (not found)`);
  }
  static conflict(message: string) {
    return new DomainError(HttpStatus.CONFLICT, 409, message);
  }
  static cannotBuy(reason: string) {
    return new DomainError(HttpStatus.CONFLICT, Codes.CANNOT_BUY, `无法购买: ${reason}`);
  }
  static soldOut(reason = '库存不足') {
    return new DomainError(HttpStatus.CONFLICT, Codes.SOLD_OUT, `已售罄: ${reason}`);
  }
  static payTimeout(reason = '订单已过期或已关闭') {
    return new DomainError(HttpStatus.CONFLICT, Codes.PAY_TIMEOUT, `支付超时: ${reason}`);
  }
  static tooManyRequests(message = '请求过于频繁，请稍后再试 (rate limited)') {
    return new DomainError(HttpStatus.TOO_MANY_REQUESTS, 429, message);
  }
}
