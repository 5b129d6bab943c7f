// Stripe-Signature headers: `t=<unix>,v1=<hex>` with one v1 per active secret (rotation overlap).
import { createHmac } from 'node:crypto';

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  const parts = [`t=${timestamp}`, ...secrets.map((s) => `v1=${signPayload(s, timestamp, body)}`)];
  return parts.join(',');
}
