// Stripe list envelopes and cursor pagination (newest first, `limit` 1..100, default 10).
import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from './errors.js';

export interface PageParams {
  limit?: number | undefined;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

export function listOf<T>(data: T[], url: string, hasMore = false): Stripe.ApiList<T> {
  return { object: 'list', data, has_more: hasMore, url };
}

/** `items` must be in creation order; the page is returned newest first, as Stripe does. */
export function paginate<T extends { id: string }>(
  items: Iterable<T>,
  params: PageParams,
  url: string,
): Stripe.ApiList<T> {
  const limit = params.limit ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest(
      'Invalid limit: must be between 1 and 100',
      'limit',
      'parameter_invalid_integer',
    );
  }
  if (params.starting_after && params.ending_before) {
    throw invalidRequest(
      'You may only specify one of these parameters: ending_before, starting_after.',
      'ending_before',
    );
  }
  const all = [...items].reverse();
  if (params.starting_after) {
    const index = all.findIndex((item) => item.id === params.starting_after);
    if (index === -1) throw resourceMissing('object', params.starting_after, 'starting_after');
    const rest = all.slice(index + 1);
    return listOf(rest.slice(0, limit), url, rest.length > limit);
  }
  if (params.ending_before) {
    const index = all.findIndex((item) => item.id === params.ending_before);
    if (index === -1) throw resourceMissing('object', params.ending_before, 'ending_before');
    const before = all.slice(0, index);
    return listOf(before.slice(Math.max(0, before.length - limit)), url, before.length > limit);
  }
  return listOf(all.slice(0, limit), url, all.length > limit);
}
