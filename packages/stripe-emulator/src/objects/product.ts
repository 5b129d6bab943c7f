// Builds `Stripe.Product` objects.
import type Stripe from 'stripe';
import { newId } from '../ids.js';

export interface ProductInput {
  name: string;
  description?: string | undefined;
  active?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
  id?: string | undefined;
}

export function buildProduct(input: ProductInput, now: number): Stripe.Product {
  return {
    id: input.id ?? newId('prod'),
    object: 'product',
    active: input.active ?? true,
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: { ...input.metadata },
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: now,
    url: null,
  };
}
