import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './errors';
import { errorBody } from './envelope';
import { isDuplicateKeyError } from './db-errors';

/** Kept here for existing importers; the helper lives in db-errors. */
export { isDuplicateKeyError };

const HTTP_WORDS: Record<number, string> = {
  400: '请求参数错误 (bad request)',
  401: '未登录或登录已过期 (unauthorized)',
  403: '无权访问 (forbidden)',
  404: '不存在 (not found)',
  405: '不支持的请求方法 (method not allowed)',
  409: '状态冲突 (conflict)',
  413: '请求体过大，上限 100 KB (payload too large)',
  415: '不支持的 Content-Type (unsupported media type)',
  429: '请求过于频繁，请稍后再试 (rate limited)',
};

/** The one place every error becomes the contract's envelope (§2). Never leaks stacks or SQL. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const url = req?.url ?? '';
    const { http, status, message, extra } = this.describe(exception, req);
    if (http >= 500) {
      this.logger.error({ err: exception, url, reqId: req?.id }, 'unhandled error');
    }
    if (reply.sent) return;
    const path = url.split('?')[0];
    void reply.status(http).send(errorBody(path, status, http === 500 ? message + retryHint(path) : message, extra));
  }

  private describe(e: unknown, req: FastifyRequest) {
    if (e instanceof DomainError) {
      return { http: e.http, status: e.status, message: e.message, extra: e.details ? { errors: e.details } : undefined };
    }
    if (e instanceof HttpException) {
      const http = e.getStatus();
      let message = HTTP_WORDS[http] ?? e.message;
      if (http === 404) message = `路由不存在: ${req?.method} ${req?.url?.split('?')[0]} (route not found)`;
      else if (http < 500) {
        const r = e.getResponse();
        const m = typeof r === 'object' && r && 'message' in r ? (r as { message: unknown }).message : e.message;
        if (typeof m === 'string' && m) message = m;
        else if (Array.isArray(m)) message = m.join('; ');
      } else message = '服务器内部错误 (internal error)';
      return { http, status: http, message, extra: undefined };
    }
    if (isDuplicateKeyError(e)) {
      return { http: 409, status: 409, message: '记录已存在或并发冲突，请重试 (duplicate)', extra: undefined };
    }
    // Fastify's own errors (bad JSON, body too large, bad content type) carry a 4xx statusCode.
    const sc = (e as { statusCode?: number })?.statusCode;
    if (typeof sc === 'number' && sc >= 400 && sc < 500) {
      let message = HTTP_WORDS[sc] ?? 'bad request';
      const code = (e as { code?: string }).code;
      if (code === 'FST_ERR_CTP_INVALID_JSON' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
        message = '请求体不是合法的 JSON (body is not valid JSON)';
      return { http: sc, status: sc, message, extra: undefined };
    }
    return { http: HttpStatus.INTERNAL_SERVER_ERROR, status: 500, message: '服务器内部错误 (internal error)', extra: undefined };
  }
}

/**
 * A 500 from a money route may hide a write that committed before the answer was lost: say what a
 * client can safely do about it.
 */
function retryHint(path: string): string {
  if (path.endsWith('/api/group/order/createOrder')) {
    return '；可带同一 Idempotency-Key 重试，不会重复下单 (retrying with the same Idempotency-Key is safe: it never makes a second checkout)';
  }
  if (path.includes('/api/group/order/payOrder/'))
    return '；可重试，不会重复扣款 (payOrder is safe to retry: a checkout is never charged twice)';
  return '';
}
