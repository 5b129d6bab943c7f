// Validates parsed form params with zod and turns zod issues into Stripe's 400 errors
// (`Received unknown parameter: foo`, `Missing required param: bar.`), naming the param as Stripe does.
import { z } from 'zod';
import { invalidRequest, missingParam, unknownParam } from './errors.js';
import type { FormObject } from './form.js';
import { metadataParam, type StripeIssueParams } from './validation.js';

// The error texts of these two mark the issue, so parseParams answers as Stripe does
// (`Invalid integer: ten`, code parameter_invalid_integer).
const NOT_AN_INTEGER = 'not_an_integer';
const NOT_A_BOOLEAN = 'not_a_boolean';

export const str = z.string();
export const int = z
  .string()
  .regex(/^-?\d+$/, { error: NOT_AN_INTEGER })
  .transform((v) => Number(v));
export const bool = z
  .string()
  .refine((v) => v === 'true' || v === 'false', { error: NOT_A_BOOLEAN })
  .transform((v) => v === 'true');
export const metadata = metadataParam;
export const expand = z.array(z.string());

export const pagination = {
  limit: int.optional(),
  starting_after: str.optional(),
  ending_before: str.optional(),
  expand: expand.optional(),
};

function paramName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((p) => `[${p}]`).join('')}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export function parseParams<S extends z.ZodType>(schema: S, input: FormObject): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest('Invalid request parameters.');
  if (issue.code === 'unrecognized_keys') {
    throw unknownParam(paramName([...issue.path, issue.keys[0] ?? '']));
  }
  const param = paramName(issue.path);
  if (valueAt(input, issue.path) === undefined) throw missingParam(param);
  const value = valueAt(input, issue.path);
  if (issue.code === 'custom' && (issue.params as StripeIssueParams | undefined)?.stripe) {
    const { code } = (issue.params as StripeIssueParams).stripe;
    throw invalidRequest(issue.message, param, code);
  }
  if (issue.message === NOT_AN_INTEGER)
    throw invalidRequest(`Invalid integer: ${String(value)}`, param, 'parameter_invalid_integer');
  if (issue.message === NOT_A_BOOLEAN)
    throw invalidRequest(`Invalid boolean: ${String(value)}`, param, 'parameter_invalid');
  throw invalidRequest(
    `Invalid value for ${param}: ${typeof value === 'string' ? `'${value}'` : 'wrong type'}.`,
    param,
    'parameter_invalid',
  );
}
