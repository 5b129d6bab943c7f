#!/usr/bin/env bash
# The PostgreSQL integration suite and the chaos test through PgBouncer in transaction mode: the
# test files that talk to PostgreSQL, on PostgreSQL only (TEST_DB_KINDS=postgres skips PGlite),
# with TEST_DATABASE_URL at the pooler. Nothing uses DATABASE_DIRECT_URL here, so migrations go
# through the pooler too, under their transaction-scoped lock.
set -euo pipefail
cd "$(dirname "$0")/../.."

url="$(scripts/ci/pgbouncer.sh start)"
trap 'scripts/ci/pgbouncer.sh stop' EXIT
echo "PgBouncer $(pgbouncer --version | head -n1 | awk '{print $2}') in transaction mode at $url"

# Arguments: only those test files (a local re-run of one failure); none: every one that uses PostgreSQL.
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  # Not database-outage.test.ts: it times the app's answers while PostgreSQL refuses connections,
  # and behind PgBouncer every client waits out server_login_retry instead, so its timings do not
  # apply; the chaos test covers an outage through the pooler.
  mapfile -t files < <(grep -rlE 'DB_KINDS|TEST_DATABASE_URL|isolatedDatabase|suiteDatabase' test --include='*.test.ts' | grep -v 'test/database-outage.test.ts' | sort)
fi
echo "${#files[@]} test files (PostgreSQL only), the chaos test among them"
mkdir -p test-results
TEST_DATABASE_URL="$url" DATABASE_POOLER=transaction TEST_DB_KINDS=postgres \
  npx vitest run "${files[@]}" --reporter=default --reporter=json \
  --outputFile=test-results/vitest-pgbouncer.json
