// Metrics across WEB_CONCURRENCY app processes (node:cluster): each worker answers prom-client's
// aggregation requests with its own registry; the primary sums them. A worker serving GET
// /metrics asks the primary for the sum, so every scrape sees the whole pool, whichever worker
// the connection landed on.
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry, type RegistryContentType } from 'prom-client';

const ASK = 'tollgate:metrics?';
const ANSWER = 'tollgate:metrics!';
const TIMEOUT_MS = 5_000;

export interface Scrape {
  text: string;
  contentType: string;
}

type Answer = { type: typeof ANSWER; id: number; text?: string; error?: string };

let aggregator: AggregatorRegistry<RegistryContentType> | null = null;

/** In the primary: sums every worker's metrics, for its own METRICS_PORT and for the workers. */
export function serveClusterMetrics(): () => Promise<Scrape> {
  aggregator ??= new AggregatorRegistry();
  const registry = aggregator;
  const scrape = async () => ({
    text: await registry.clusterMetrics(),
    contentType: registry.contentType,
  });
  cluster.on('message', (worker, msg: { type?: unknown; id?: unknown }) => {
    if (msg?.type !== ASK || typeof msg.id !== 'number') return;
    const id = msg.id;
    scrape().then(
      ({ text }) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (err: Error) => worker.send({ type: ANSWER, id, error: err.message } satisfies Answer),
    );
  });
  return scrape;
}

/**
 * The scrape for this process: in a cluster worker, the primary's sum (and this worker answers
 * the primary's requests with `registry`); otherwise `registry` itself.
 */
export function processScrape(registry: Registry): () => Promise<Scrape> {
  if (!cluster.isWorker) {
    return async () => ({ text: await registry.metrics(), contentType: registry.contentType });
  }
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one adds the worker's listener for the primary's requests.
  new AggregatorRegistry();
  let next = 0;
  const waiting = new Map<number, (a: Answer) => void>();
  process.on('message', (msg: Answer) => {
    if (msg?.type === ANSWER) waiting.get(msg.id)?.(msg);
  });
  return () =>
    new Promise<Scrape>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer the metrics request'));
      }, TIMEOUT_MS);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (a.text !== undefined) resolve({ text: a.text, contentType: registry.contentType });
        else reject(new Error(a.error ?? 'metrics aggregation failed'));
      });
      process.send?.({ type: ASK, id });
    });
}
