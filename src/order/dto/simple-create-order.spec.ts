import fc from 'fast-check';
import { createValidationPipe } from '../../common/validation';
import { MAX_INT } from '../../common/validators';
import { CreateOrderDto, GoodsLineDto, simpleCreateOrder } from './checkout.dto';

const whole = createValidationPipe({ shortcuts: false });
const withShortcuts = createValidationPipe();
const meta = { type: 'body' as const, metatype: CreateOrderDto, data: '' };

describe('simpleCreateOrder: the createOrder bodies that skip the whole validation pass', () => {
  const line = fc.record({ product_id: fc.integer({ min: 1, max: MAX_INT }), quantity: fc.integer({ min: 1, max: 9999 }) });
  const simpleBody = fc
    .record(
      {
        goods: fc.oneof(
          line.map((l) => [l]),
          line.map((l) => JSON.stringify([l])),
        ),
        coupon_id: fc.integer({ min: 1, max: MAX_INT }),
        team_id: fc.integer({ min: 1, max: MAX_INT }),
        remark: fc.string({ maxLength: 255 }),
      },
      { requiredKeys: ['goods'] },
    )
    .map((b) => ({ ...b }));

  it('builds exactly the DTO of the whole pass for every body it takes', async () => {
    await fc.assert(
      fc.asyncProperty(simpleBody, async (body) => {
        const fast = simpleCreateOrder(body);
        expect(fast).toBeInstanceOf(CreateOrderDto);
        expect(fast!.goods[0]).toBeInstanceOf(GoodsLineDto);
        expect(fast).toStrictEqual(await whole.transform(body, meta));
        // and the global pipe hands the handler that DTO
        expect(await withShortcuts.transform(body, meta)).toStrictEqual(fast);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['no body', undefined],
    ['an array body', [{ product_id: 7, quantity: 1 }]],
    [
      'two lines',
      {
        goods: [
          { product_id: 7, quantity: 1 },
          { product_id: 8, quantity: 1 },
        ],
      },
    ],
    ['no line', { goods: [] }],
    ['numbers as text', { goods: [{ product_id: '7', quantity: 1 }] }],
    ['a fraction', { goods: [{ product_id: 7, quantity: 1.5 }] }],
    ['quantity 0', { goods: [{ product_id: 7, quantity: 0 }] }],
    ['quantity above 9999', { goods: [{ product_id: 7, quantity: 10000 }] }],
    ['id above MAX_INT', { goods: [{ product_id: MAX_INT + 1, quantity: 1 }] }],
    ['an extra line key', { goods: [{ product_id: 7, quantity: 1, price: 0 }] }],
    ['a null line', { goods: [null] }],
    ['bad JSON text', { goods: '[{"product_id":7' }],
    ['an address', { goods: [{ product_id: 7, quantity: 1 }], address: {} }],
    ['a phone', { goods: [{ product_id: 7, quantity: 1 }], phone: '13800000000' }],
    ['deductions', { goods: [{ product_id: 7, quantity: 1 }], deduction_ids: ['point'] }],
    ['coupon id as text', { goods: [{ product_id: 7, quantity: 1 }], coupon_id: '3' }],
    ['a long remark', { goods: [{ product_id: 7, quantity: 1 }], remark: 'x'.repeat(256) }],
  ])('leaves %s to the whole pass', async (_label, body) => {
    expect(simpleCreateOrder(body)).toBeUndefined();
    // which still decides: the same outcome as without the shortcut
    const outcome = (p: typeof whole) =>
      p.transform(body, meta).then(
        (v) => ({ ok: v }),
        (e: { message: string }) => ({ refused: e.message }),
      );
    expect(await outcome(withShortcuts)).toStrictEqual(await outcome(whole));
  });
});
