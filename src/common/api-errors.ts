import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { Codes } from './errors';

/**
 * An error answer a route can give (contract §2): an HTTP status, or a business code of the body
 * (1001 无法购买, 1002 已售罄, 1003 支付超时: HTTP 409; 801 流水号重复: HTTP 422 and 409).
 */
export type ApiErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 1001 | 1002 | 1003 | 801;

/** Where the decorator leaves the body `status` values of one answer; `finishDocument` turns it into the family's envelope. */
export const ERROR_CODES_KEY = 'x-error-status';
export const ERROR_PLACEHOLDER_REF = '#/components/schemas/ApiError';

const HTTP_WORDS: Record<number, string> = {
  400: '参数错误：请求不合法，`msg`/`message` 与 `errors[].field` 指出字段 (malformed or invalid input, names the field)',
  401: '未登录、凭证无效或已过期 (no token, bad or expired token)',
  403: '无权访问：凭证类型不符（前台/管理端），或非超级管理员 (authenticated but not allowed)',
  404: '不存在、已删除，或属于其他用户/租户 (not found)',
  409: '状态冲突 (conflict)',
  413: '请求体超过 100 KB (body too large)',
  415: '不支持的 Content-Type (unsupported media type)',
  422: '801 流水号重复：同一 Idempotency-Key 用于不同的请求 (key reused with a different body)',
  429: '请求过于频繁 (rate limited)',
  500: '服务器内部错误：不含堆栈或 SQL (internal error, no internals in the body)',
  503: '服务正在停止，请重试 (shutting down, try again)',
};
const CODE_WORDS: Record<number, string> = {
  409: '409 状态冲突',
  [Codes.CANNOT_BUY]: '1001 无法购买',
  [Codes.SOLD_OUT]: '1002 已售罄',
  [Codes.PAY_TIMEOUT]: '1003 支付超时',
  [Codes.DUPLICATE_SERIAL]: '801 流水号重复（首个请求仍在处理）',
};

/** The HTTP statuses a code is answered with, and the body `status` it carries there. */
function answersOf(code: ApiErrorCode): Array<[http: number, status: number]> {
  switch (code) {
    case Codes.CANNOT_BUY:
    case Codes.SOLD_OUT:
    case Codes.PAY_TIMEOUT:
      return [[409, code]];
    case Codes.DUPLICATE_SERIAL:
      return [
        [422, code],
        [409, code],
      ];
    default:
      return [[code, code]];
  }
}

export function errorDescription(http: number, statuses: number[]): string {
  if (http !== 409) return HTTP_WORDS[http] ?? `HTTP ${http}`;
  return `${HTTP_WORDS[409]}：body \`status\` ${statuses.map((s) => CODE_WORDS[s] ?? String(s)).join('、')}`;
}

/**
 * Documents the error answers of a route (or of every route of a controller) with the envelope of §2:
 * `@ApiErrors(404, 1001, 1002, 801)`. All codes of one status go in one call (a later call for the same
 * HTTP status replaces the earlier one). The access decorators (`UserAuth`, `AdminAuth`, …) add 401/403
 * themselves; `finishDocument` adds 400 to every route and 413/415 to every route with a body, and
 * picks the storefront or admin envelope from the path.
 */
export function ApiErrors(...codes: ApiErrorCode[]) {
  const byHttp = new Map<number, number[]>();
  for (const code of codes) {
    for (const [http, status] of answersOf(code)) {
      const list = byHttp.get(http) ?? [];
      if (!list.includes(status)) list.push(status);
      byHttp.set(http, list);
    }
  }
  return applyDecorators(
    ...[...byHttp].map(([http, statuses]) => {
      // the extension is read and removed by finishDocument (a Media Type Object may carry x- fields)
      const media = { schema: { $ref: ERROR_PLACEHOLDER_REF }, [ERROR_CODES_KEY]: statuses };
      return ApiResponse({ status: http, description: errorDescription(http, statuses), content: { 'application/json': media } });
    }),
  );
}
