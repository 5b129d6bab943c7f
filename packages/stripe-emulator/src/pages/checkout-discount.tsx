// The hosted Checkout page's discount parts: the promotion-code field (with its own Apply
// button) and the discount line under the price.
import type Stripe from 'stripe';
import { heldDiscount } from '../checkout-discounts.js';
import type { EmulatorContext } from '../context.js';
import { formatAmount, formatDate } from './layout.js';

function durationText(coupon: Stripe.Coupon, start: number): string {
  switch (coupon.duration) {
    case 'forever':
      return 'on every invoice';
    case 'once':
      return 'on the first invoice';
    case 'repeating': {
      const end = new Date(start * 1000);
      end.setUTCMonth(end.getUTCMonth() + (coupon.duration_in_months ?? 0));
      return `until ${formatDate(Math.floor(end.getTime() / 1000))}`;
    }
    default:
      return '';
  }
}

export function DiscountRow(props: {
  emu: EmulatorContext;
  session: Stripe.Checkout.Session;
  currency: string;
}) {
  const { emu, session } = props;
  const held = heldDiscount(emu.store, emu.store.checkoutDetails.get(session.id));
  if (!held) return null;
  const off = session.total_details?.amount_discount ?? 0;
  const what =
    held.coupon.percent_off !== null
      ? `${held.coupon.percent_off}% off`
      : `${formatAmount(held.coupon.amount_off, held.coupon.currency ?? props.currency)} off`;
  return (
    <p class="discount" data-discount={String(off)}>
      {held.code ? `Code ${held.code}` : (held.coupon.name ?? 'Discount')}: {what}{' '}
      {durationText(held.coupon, emu.store.now())} (−{formatAmount(off, props.currency)} today)
    </p>
  );
}

export function PromotionCodeField(props: { session: Stripe.Checkout.Session }) {
  return (
    <div>
      <label for="promotion_code">Promotion code (optional)</label>
      <div class="row">
        <input id="promotion_code" name="promotion_code" autocomplete="off" />
        <button
          class="secondary"
          type="submit"
          formaction={`/checkout/${props.session.id}/promotion`}
          formnovalidate
        >
          Apply
        </button>
      </div>
    </div>
  );
}
