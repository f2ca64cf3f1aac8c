import { simpleLine } from './sold-out-shortcut';

describe('simpleLine: the createOrder bodies the sold-out shortcut may answer', () => {
  it('takes one line of integer numbers, as an array or its JSON text, with the simple optional fields', () => {
    expect(simpleLine({ goods: [{ product_id: 7, quantity: 2 }] })).toEqual({ productId: 7, quantity: 2 });
    expect(simpleLine({ goods: '[{"product_id":7,"quantity":1}]' })).toEqual({ productId: 7, quantity: 1 });
    expect(simpleLine({ goods: [{ quantity: 9999, product_id: 1 }], coupon_id: 3, team_id: 4, remark: '快' })).toEqual({
      productId: 1,
      quantity: 9999,
    });
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
    ['id above MAX_INT', { goods: [{ product_id: 2 ** 31, quantity: 1 }] }],
    ['an extra line key', { goods: [{ product_id: 7, quantity: 1, price: 0 }] }],
    ['a null line', { goods: [null] }],
    ['bad JSON text', { goods: '[{"product_id":7' }],
    ['an address (validated the whole way)', { goods: [{ product_id: 7, quantity: 1 }], address: {} }],
    ['a phone', { goods: [{ product_id: 7, quantity: 1 }], phone: '13800000000' }],
    ['deductions', { goods: [{ product_id: 7, quantity: 1 }], deduction_ids: ['point'] }],
    ['coupon id as text', { goods: [{ product_id: 7, quantity: 1 }], coupon_id: '3' }],
    ['a long remark', { goods: [{ product_id: 7, quantity: 1 }], remark: 'x'.repeat(256) }],
  ])('leaves %s to the whole way', (_label, body) => {
    expect(simpleLine(body)).toBeUndefined();
  });
});
