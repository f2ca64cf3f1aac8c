'use strict';
/**
 * Baseline for `npm run bench:checkout`: the least a server can do to take an order on the app's
 * own tables — bare Fastify 5 + a mysql2/promise pool, one route, no Nest, no ORM, no auth, no DTO
 * validation, no coupon lookup, no per-request deal read (the deal's price/tenant/shop are read
 * once per deal id and cached). Each POST /order runs exactly the statements of the app's
 * createOrder transaction for a one-line cart:
 *
 *   BEGIN; UPDATE group_buying SET stock = stock - ?, order_count = order_count + 1 WHERE id = ? AND stock >= ?
 *   (0 rows → ROLLBACK, 409); INSERT INTO checkout (…); INSERT INTO group_buying_order (…); COMMIT
 *
 * with the column lists of src/order/checkout.service.ts. Sessions are UTC and READ COMMITTED like
 * the app's (set once per pooled connection, not per request); statements go over the text protocol
 * (`query`, like TypeORM), not as server-side prepared statements.
 *
 *   POST /order   header x-user-id: <int>   body {"product_id": <int>, "quantity": <int>}
 *     → 200 {status:200, msg:'ok', data:{pay_no, code}} | 400 | 404 | 409 {status:409, msg}
 *   GET /health   → 200 {status:'ok'}
 *
 * Env: DATABASE_URL (mysql://…/db, required), PORT (default 3100), HOST (default 127.0.0.1),
 * DB_POOL_SIZE (default 10), ORDER_PAY_TIMEOUT_SECONDS (default 900).
 * Plain CommonJS so it runs with `node bench/baseline-server.js`, no build.
 */
const { randomInt } = require('node:crypto');
const Fastify = require('fastify');
const mysql = require('mysql2/promise');

const url = process.env.DATABASE_URL;
if (!url || !/^mysql:\/\//.test(url)) {
  process.stderr.write('baseline: DATABASE_URL=mysql://user:pass@host:port/db is required\n');
  process.exit(1);
}
const port = Number(process.env.PORT || 3100);
const host = process.env.HOST || '127.0.0.1';
const poolSize = Number(process.env.DB_POOL_SIZE || 10);
const payTimeoutMs = Number(process.env.ORDER_PAY_TIMEOUT_SECONDS || 900) * 1000;

const pool = mysql.createPool({
  uri: url,
  connectionLimit: poolSize,
  maxIdle: poolSize,
  enableKeepAlive: true,
  timezone: 'Z',
  charset: 'utf8mb4_unicode_ci',
  supportBigNumbers: true,
});
// once per new pooled connection, queued before its first query (same session settings as the app)
pool.pool.on('connection', (conn) => {
  conn.query("SET time_zone = '+00:00'", () => undefined);
  conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', () => undefined);
});

// Order / pay numbers in the app's format (`tg` + yyMMddHHmmss UTC + 8 digits), the 8 digits a
// per-process counter from a random start, so they never collide within a run.
let seq = randomInt(0, 100_000_000);
function orderCode(now) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  seq = (seq + 1) % 100_000_000;
  return `tg${p(now.getUTCFullYear() % 100)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}${p(seq, 8)}`;
}

const toCents = (v) => Math.round(Number(v) * 100); // DECIMAL(12,2) → integer cents
const fromCents = (c) => `${Math.trunc(c / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/** Deal metadata needed for the INSERTs, read once per deal id (the stock itself is never cached). */
const deals = new Map();
async function dealInfo(id) {
  let d = deals.get(id);
  if (d) return d;
  const [found] = await pool.query(
    'SELECT id, tenant_id, shop_id, price, deliver_type, deliver_fee, product_name, spec, image_path, lbs FROM group_buying WHERE id = ?',
    [id],
  );
  if (!found.length) return null;
  const r = found[0];
  d = {
    id: Number(r.id),
    tenantId: Number(r.tenant_id),
    shopId: Number(r.shop_id),
    priceCents: toCents(r.price),
    deliverType: Number(r.deliver_type),
    deliverFeeCents: toCents(r.deliver_fee),
    productName: r.product_name,
    spec: r.spec || '',
    imagePath: r.image_path || '',
    lbs: r.lbs || '',
  };
  deals.set(id, d);
  return d;
}

const isPosInt = (v) => Number.isSafeInteger(v) && v >= 1;

const app = Fastify({ logger: false, bodyLimit: 100 * 1024 });

app.get('/health', async () => ({ status: 'ok' }));

app.post('/order', async (req, reply) => {
  const userId = Number(req.headers['x-user-id']);
  const body = req.body || {};
  const productId = Number(body.product_id);
  const qty = Number(body.quantity);
  if (!isPosInt(userId)) return reply.code(400).send({ status: 400, msg: 'x-user-id header required' });
  if (!isPosInt(productId) || !isPosInt(qty) || qty > 9999)
    return reply.code(400).send({ status: 400, msg: 'product_id and quantity (1..9999) required' });
  const d = await dealInfo(productId);
  if (!d) return reply.code(404).send({ status: 404, msg: 'deal not found' });

  const now = new Date();
  const expire = new Date(now.getTime() + payTimeoutMs);
  const payNo = orderCode(now);
  const code = orderCode(now);
  const goods = d.priceCents * qty;
  const dispatch = d.deliverType === 2 ? d.deliverFeeCents : 0;
  const total = goods + dispatch;

  const conn = await pool.getConnection();
  try {
    await conn.query('BEGIN');
    const [upd] = await conn.query('UPDATE group_buying SET stock = stock - ?, order_count = order_count + 1 WHERE id = ? AND stock >= ?', [
      qty,
      productId,
      qty,
    ]);
    if (upd.affectedRows !== 1) {
      await conn.query('ROLLBACK');
      return reply.code(409).send({ status: 409, msg: 'sold out' });
    }
    const [ins] = await conn.query(
      'INSERT INTO checkout (pay_no, tenant_id, user_id, status, goods_price, discount_price, dispatch_price, total_price, member_coupon_id, expire_time, provider) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)',
      [payNo, d.tenantId, userId, fromCents(goods), '0.00', fromCents(dispatch), fromCents(total), null, expire, 'sandbox'],
    );
    await conn.query(
      'INSERT INTO group_buying_order (code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, price, qty, goods_money, coupon_money, deliver_fee, money, expire_time, address, lbs, phone, remark, product_name, spec, image_path) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        code,
        payNo,
        ins.insertId,
        d.tenantId,
        d.shopId,
        d.id,
        userId,
        d.deliverType,
        fromCents(d.priceCents),
        qty,
        fromCents(goods),
        '0.00',
        fromCents(dispatch),
        fromCents(total),
        expire,
        '',
        d.lbs,
        '',
        '',
        d.productName,
        d.spec,
        d.imagePath,
      ],
    );
    await conn.query('COMMIT');
  } catch (e) {
    await conn.query('ROLLBACK').catch(() => undefined);
    req.log.error(e);
    return reply.code(500).send({ status: 500, msg: 'internal error' });
  } finally {
    conn.release();
  }
  return { status: 200, msg: 'ok', data: { pay_no: payNo, code, total_price: fromCents(total) } };
});

async function shutdown() {
  try {
    await app.close();
  } finally {
    await pool.end().catch(() => undefined);
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ port, host }).then(
  () => process.stdout.write(`baseline listening on http://${host}:${port} (pool ${poolSize})\n`),
  (e) => {
    process.stderr.write(`baseline: failed to start: ${e && e.message}\n`);
    process.exit(1);
  },
);
