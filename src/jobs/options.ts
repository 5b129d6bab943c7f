// The job runner's tuning and its defaults, apart from the runner: the database sizes its
// background pool from them (src/db/client.ts), and the runner imports the database.
export interface JobRunnerOptions {
  pollMs: number;
  leaseMs: number;
  concurrency: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After this many failed attempts in a row, the job gives up. */
  maxAttempts: number;
  /** On stop, how long jobs in flight may take to finish before their claims are handed back. */
  drainMs: number;
}

export const DEFAULT_JOB_RUNNER_OPTIONS: JobRunnerOptions = {
  pollMs: 1_000,
  leaseMs: 60_000,
  // An upper bound on runs in flight per process; budgeted kinds are paced by their budget.
  // In a webhook storm with Stripe fast, the syncs share the CPU with the acks: 12 left a third
  // of the customers unsynced at the last ack (converged +1.1 s), 20 none but p99 of the acks
  // 135 ms, 16 about 150 and +0.5 s with p99 ~90 ms (npm run bench, docs/performance.md).
  concurrency: 16,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  maxAttempts: 12,
  drainMs: 5_000,
};
