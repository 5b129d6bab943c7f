import { describe, expect, it } from 'vitest';
import { parseForm } from './form.js';

describe('parseForm', () => {
  it('nests bracketed keys into objects and indexed keys into arrays', () => {
    const parsed = parseForm(
      'line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2&metadata[workspace_id]=7&expand[0]=subscription',
    );
    expect(parsed).toEqual({
      line_items: [{ price: 'price_1', quantity: '2' }, { price: 'price_2' }],
      metadata: { workspace_id: '7' },
      expand: ['subscription'],
    });
  });

  it('appends for empty brackets and accepts percent-encoded brackets', () => {
    expect(parseForm('expand[]=a&expand[]=b')).toEqual({ expand: ['a', 'b'] });
    expect(parseForm('expand%5B0%5D=customer')).toEqual({ expand: ['customer'] });
  });

  it('keeps numeric metadata keys as a map, and decodes + and %-escapes in values', () => {
    expect(parseForm('metadata[0]=zero&email=a%2Bb%40x.io&name=Ada+Lovelace')).toEqual({
      metadata: { '0': 'zero' },
      email: 'a+b@x.io',
      name: 'Ada Lovelace',
    });
  });

  it('orders array items by index even when sent out of order', () => {
    expect(parseForm('items[1][id]=b&items[0][id]=a')).toEqual({
      items: [{ id: 'a' }, { id: 'b' }],
    });
  });
});
