#!/usr/bin/env bash
# The smoke set (test/smoke.test.ts: start, a checkout journey, a small webhook storm) on every
# supported Node LTS. Each Node comes from the npm registry's `node` package through npx, so
# nothing is downloaded from anywhere else; the suite itself runs on this machine's Node.
#   scripts/ci/node-smoke.sh            → 22, 24 and 26
#   scripts/ci/node-smoke.sh 24         → just that one
set -euo pipefail
cd "$(dirname "$0")/../.."

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(22 24 26)
status=0
for v in "${versions[@]}"; do
  started=$SECONDS
  actual="$(npx -y "node@$v" --version)"
  echo "== Node $actual (npm package node@$v): smoke set"
  # vitest's workers and the server it starts run on process.execPath: this Node.
  if npx -y "node@$v" node_modules/vitest/vitest.mjs run test/smoke.test.ts --reporter=default; then
    echo "== Node $actual: passed in $((SECONDS - started)) s"
  else
    echo "== Node $actual: FAILED after $((SECONDS - started)) s"
    status=1
  fi
done
exit "$status"
