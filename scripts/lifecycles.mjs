// `npm run test:lifecycles -- --runs N [--seed S] [--commands C]`: the model-based billing
// lifecycle suite (test/billing/lifecycle-model.test.ts), longer than CI's fixed seed, with
// shrinking on: a failure prints fast-check's shrunk counterexample (the seed, the path and
// the command list) to replay with --seed.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} needs a whole number ≥ 1`);
    process.exit(2);
  }
  return v;
};
const runs = value('runs', 50);
const seed = value('seed', randomInt(1, 2 ** 31 - 1));
const commands = value('commands', 10);
console.log(`billing lifecycles: ${runs} runs, up to ${commands} commands each, seed ${seed}`);
const result = spawnSync('npx', ['vitest', 'run', 'test/billing/lifecycle-model.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    LIFECYCLE_RUNS: String(runs),
    LIFECYCLE_SEED: String(seed),
    LIFECYCLE_MAX_COMMANDS: String(commands),
    LIFECYCLE_SHRINK: '1',
    // A run is a few seconds per command; shrinking replays many.
    LIFECYCLE_TIMEOUT_MS: String(Math.max(600_000, runs * commands * 20_000)),
  },
});
process.exit(result.status ?? 1);
