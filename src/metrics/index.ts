// The metrics domain's one door: the app's registry with its scrape (this process's, or the
// cluster's in a worker), the HTTP pieces, the primary's aggregation and the METRICS_PORT server.
import type { Db } from '../db/client.js';
import { processScrape, type Scrape } from './cluster.js';
import { type AppMetrics, createMetrics } from './registry.js';

export { type Scrape, serveClusterMetrics } from './cluster.js';
export { metricsRoute, requestMetrics } from './http.js';
export type { AppMetrics, WebhookOutcome } from './registry.js';
export { type MetricsServer, startMetricsServer } from './server.js';

export interface Metrics extends AppMetrics {
  /** Prometheus text for GET /metrics: this process's, or the whole pool's in a cluster worker. */
  scrape(): Promise<Scrape>;
}

export function createAppMetrics(opts: { db: Db; jobKinds: readonly string[] }): Metrics {
  const metrics = createMetrics(opts);
  return { ...metrics, scrape: processScrape(metrics.registry) };
}
