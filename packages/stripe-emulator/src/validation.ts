// Stripe's value rules for the parameters every endpoint shares: metadata limits (and `metadata=`
// clearing it), currencies, amounts. Each failure is a zod issue carrying Stripe's message and code.
import { z } from 'zod';

/** A zod custom issue that `parseParams` turns into Stripe's 400 as is (message, param, code). */
export interface StripeIssueParams {
  stripe: { code?: string };
}

export const MAX_METADATA_KEYS = 50;
export const MAX_METADATA_KEY_LENGTH = 40;
export const MAX_METADATA_VALUE_LENGTH = 500;

/**
 * `metadata[key]=value` pairs, or `metadata=` (empty): Stripe's way to remove every key, read as
 * `null`. Key count, key length and value length are Stripe's documented limits.
 */
export const metadataParam = z
  .union([z.literal('').transform(() => null), z.record(z.string(), z.string())])
  .superRefine((value, ctx) => {
    if (value === null) return;
    const keys = Object.keys(value);
    const fail = (message: string, path: string[] = []) =>
      ctx.addIssue({ code: 'custom', message, path, params: { stripe: {} } });
    if (keys.length > MAX_METADATA_KEYS)
      return fail(
        `Invalid metadata: metadata can have up to ${MAX_METADATA_KEYS} keys, but you passed in ${keys.length} keys.`,
      );
    for (const key of keys) {
      if (key.length > MAX_METADATA_KEY_LENGTH)
        return fail(
          `Metadata keys can have up to ${MAX_METADATA_KEY_LENGTH} characters, but you passed in a key that is ${key.length} characters long.`,
          [key],
        );
      const v = value[key] ?? '';
      if (v.length > MAX_METADATA_VALUE_LENGTH)
        return fail(
          `Metadata values can have up to ${MAX_METADATA_VALUE_LENGTH} characters, but you passed in a value that is ${v.length} characters long.`,
          [key],
        );
    }
  });

export type MetadataUpdate = Record<string, string> | null | undefined;

/** Stripe's metadata update: merges keys, an empty value deletes the key, `null` deletes them all. */
export function mergeMetadata(
  current: Record<string, string>,
  update: MetadataUpdate,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The presentment currencies Stripe documents (ISO 4217, lower case). */
export const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp ' +
    'byn bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip ' +
    'gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt ' +
    'lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr ' +
    'nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd ' +
    'std szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

/** A currency code Stripe supports; upper case is accepted and stored lower case, as Stripe does. */
export const currencyParam = z
  .string()
  .transform((v) => v.toLowerCase())
  .superRefine((v, ctx) => {
    if (!SUPPORTED_CURRENCIES.has(v))
      ctx.addIssue({
        code: 'custom',
        message: `Invalid currency: ${v}. Stripe currently supports these currencies: ${[...SUPPORTED_CURRENCIES].join(', ')}`,
        params: { stripe: {} },
      });
  });

/** Stripe's largest amount: eight digits in the currency's smallest unit ($999,999.99). */
export const MAX_AMOUNT = 99_999_999;

/** An amount in the smallest currency unit: an integer from 0 to MAX_AMOUNT. */
export function amountParam(int: z.ZodType<number, string>) {
  return int.superRefine((v, ctx) => {
    if (v < 0)
      ctx.addIssue({
        code: 'custom',
        message: 'This value must be greater than or equal to 0.',
        params: { stripe: { code: 'parameter_invalid_integer' } },
      });
    else if (v > MAX_AMOUNT)
      ctx.addIssue({
        code: 'custom',
        message: `This value must be less than or equal to ${MAX_AMOUNT}.`,
        params: { stripe: { code: 'amount_too_large' } },
      });
  });
}
