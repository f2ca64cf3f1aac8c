import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_CODES_KEY, ERROR_PLACEHOLDER_REF, errorDescription } from './api-errors';
import { apiFamily, ApiFamily } from './envelope';

type Json = Record<string, unknown>;
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const EXAMPLE_MESSAGES: Record<number, string> = {
  400: '参数错误 goods[0].quantity: quantity must not be greater than 9999',
  401: '未登录或登录已过期 (missing, invalid or expired token)',
  403: '无权访问 (not allowed for this account)',
  404: '订单不存在 (not found)',
  409: '状态冲突: 订单状态不允许此操作 (conflict)',
  413: '请求体过大，上限 100 KB (payload too large)',
  415: '不支持的 Content-Type (unsupported media type)',
  422: '流水号重复: Idempotency-Key 已用于不同的请求 (key reused with a different request)',
  429: '请求过于频繁，请稍后再试 (rate limited)',
  500: '服务器内部错误 (internal error)',
  503: '服务正在停止，请稍后重试 (shutting down, try again)',
  1001: '无法购买: 团购未开始',
  1002: '已售罄: 库存不足',
  1003: '支付超时: 订单已过期或已关闭',
  801: '流水号重复: 首个请求仍在处理，请稍后重试 (the first request with this key is still running)',
};

/**
 * The OpenAPI document served at `/docs-json`: what Nest's decorators describe, completed by `finishDocument`.
 * Security schemes: `storefront` (API key in the `Authori-Zation` header, value `Bearer <token>`) and `admin` (bearer).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('团购 Group-buy API')
    .setDescription(
      'Storefront (`/api/group/…`, envelope `{status, msg, data}`) and admin (`/api/marketing/…`, writes `{status, message, data}`, reads return the object itself) APIs. Dates `YYYY-MM-DD HH:mm:ss` in APP_TZ; admin money as JSON numbers, storefront money as strings with two decimals. Every error answer is documented with its envelope and business code (`status`: 400, 401, 403, 404, 409, 1001 无法购买, 1002 已售罄, 1003 支付超时, 801 流水号重复, 413, 415, 422, 429). Guides: `docs/` in the repository.',
    )
    .setVersion('1.0')
    .addServer('/', 'this server')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authori-Zation',
        description:
          'storefront token from `POST /api/group/auth/login`, sent as `Authori-Zation: Bearer <token>` (type `Bearer <token>` in Authorize); `Authorization: Bearer <token>` is accepted too',
      },
      'storefront',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'admin token from `POST /api/marketing/auth/login`' },
      'admin',
    )
    .build();
  return finishDocument(SwaggerModule.createDocument(app, config));
}

/**
 * Completes what the decorators leave open, the same way for every route (so a new route only needs its
 * access decorator and `@ApiErrors(...)`): every operation answers 400 (forbidden keys and page limits
 * apply to every query), every operation with a body 413 and 415; the error placeholders of `@ApiErrors`
 * become the envelope of the route's family (§2); storefront bodies may be form-encoded (seed 000);
 * `nullable` beside an `allOf` gets the `type` OpenAPI 3.0 needs.
 */
export function finishDocument(doc: OpenAPIObject): OpenAPIObject {
  doc.info.license = { name: 'Proprietary (UNLICENSED)', url: 'https://docs.npmjs.com/cli/configuring-npm/package-json#license' };
  for (const [path, item] of Object.entries(doc.paths)) {
    const family = apiFamily(path);
    const text = errorTextFields(family, path);
    for (const method of METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (!op) continue;
      // Public() declares `[{}]` (Nest drops an empty list): no credentials is `security: []`
      const security = op.security as Json[] | undefined;
      if (security?.length === 1 && Object.keys(security[0]).length === 0) op.security = [];
      const responses = (op.responses ?? {}) as Json;
      op.responses = responses;
      const body = op.requestBody as { content?: Json } | undefined;
      if (text) {
        responses['400'] ??= placeholder(400, [400]);
        responses['500'] ??= placeholder(500, [500]);
        responses['503'] ??= placeholder(503, [503]);
        if (body) {
          responses['413'] ??= placeholder(413, [413]);
          responses['415'] ??= placeholder(415, [415]);
        }
        for (const [code, answer] of Object.entries(responses)) {
          if (Number(code) >= 400) responses[code] = envelope(text, Number(code), answer as Json);
        }
      }
      if (family === 'store' && body?.content?.[JSON_TYPE] && !body.content[FORM_TYPE]) {
        body.content[FORM_TYPE] = { schema: (body.content[JSON_TYPE] as Json).schema };
      }
    }
  }
  walkSchemas(doc.components?.schemas ?? {});
  return doc;
}

/** `METHOD /fastify/:path` of every operation whose body may be form-encoded. */
export function formEncodedRoutes(doc: OpenAPIObject): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const body = ((item as Json)[method] as Json | undefined)?.requestBody as { content?: Json } | undefined;
      if (body?.content?.[FORM_TYPE]) out.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
  }
  return out;
}

function placeholder(http: number, statuses: number[]): Json {
  return {
    description: errorDescription(http, statuses),
    content: { [JSON_TYPE]: { schema: { $ref: ERROR_PLACEHOLDER_REF }, [ERROR_CODES_KEY]: statuses } },
  };
}

/**
 * The message fields of the §2 error envelope of a route (errorBody in envelope.ts): `msg` on the storefront,
 * `message` on the admin API, both on the rest (health); seed 002's `/api/cli/…` shape is CLI_SHAPE. Routes with
 * another error shape (WeChat's notify, any other `/api/…` family) are left as their decorators describe them:
 * they document their errors with `@ApiResponse({status, schema})` themselves.
 */
function errorTextFields(family: ApiFamily, path: string): string[] | undefined {
  if (path.startsWith(CLI_PREFIX)) return CLI_SHAPE;
  if (family === 'store') return ['msg'];
  if (family === 'admin') return ['message'];
  if (family === 'other' && !path.startsWith('/api/')) return ['msg', 'message'];
  return undefined;
}

/** Seed 002's routes (`/api/cli/…`, contract §10) answer errors as `{result:"error", message, data:null}` with the HTTP code of §2. */
const CLI_PREFIX = '/api/cli/';
const CLI_SHAPE = ['result', 'message', 'data'];

function cliEnvelope(http: number, answer: Json): Json {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: CLI_SHAPE,
    properties: {
      result: { type: 'string', enum: ['error'] },
      message: { type: 'string', description: '可读的错误信息' },
      data: { type: 'object', nullable: true, description: 'null' },
    },
  };
  const value = { result: 'error', message: EXAMPLE_MESSAGES[http] ?? `HTTP ${http}`, data: null };
  return { ...answer, content: { [JSON_TYPE]: { schema, example: value } } };
}

function envelope(text: string[], http: number, answer: Json): Json {
  const media = (answer.content as Json | undefined)?.[JSON_TYPE] as Json | undefined;
  if (!media || (media.schema as Json | undefined)?.$ref !== ERROR_PLACEHOLDER_REF) return answer;
  if (text === CLI_SHAPE) return cliEnvelope(http, answer);
  const statuses = (media[ERROR_CODES_KEY] as number[] | undefined) ?? [http];
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['status', ...text],
    properties: {
      status: { type: 'integer', enum: statuses, description: '错误码（§2）' },
      ...Object.fromEntries(text.map((k) => [k, { type: 'string', description: '可读的错误信息' }])),
      errors: {
        type: 'array',
        description: '参数错误的字段（400）',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string', example: 'goods[0].quantity' }, message: { type: 'string' } },
        },
      },
    },
  };
  const examples = Object.fromEntries(
    statuses.map((s) => {
      const value: Json = { status: s, ...Object.fromEntries(text.map((k) => [k, EXAMPLE_MESSAGES[s] ?? EXAMPLE_MESSAGES[http]])) };
      if (s === 400) value.errors = [{ field: 'goods[0].quantity', message: 'quantity must not be greater than 9999' }];
      return [`status${s}`, { summary: errorDescription(http, [s]), value }];
    }),
  );
  return { ...answer, content: { [JSON_TYPE]: { schema, examples } } };
}

/** OpenAPI 3.0 reads `nullable` only beside a `type`: Nest writes `{allOf:[$ref], nullable:true}` for a nullable object property. */
function walkSchemas(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(walkSchemas);
  const s = node as Json;
  if (s.nullable === true && s.type === undefined && Array.isArray(s.allOf)) s.type = 'object';
  for (const v of Object.values(s)) walkSchemas(v);
}
