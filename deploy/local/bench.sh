#!/usr/bin/env bash
# The benchmark without remembering the etl options: ensures the local infrastructure (infra.sh),
# then runs `etl bench` (which publishes the services, starts them as processes on a database and
# a virtual host of its own, runs the file and times psql \copy of the same file in each run).
#   deploy/local/bench.sh [ROWS] [TRANSFORMERS] [RUNS] [extra etl bench options...]
# Defaults: 1000000 rows, 1 transformer, 3 runs; JSON into .local/bench/bench-<rows>-<k>.json.
# ETL_SKIP_INFRA=1 skips infra.sh. Files are generated under /tmp/sales-etl-bench (never committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROWS="${1:-1000000}"
TRANSFORMERS="${2:-1}"
RUNS="${3:-3}"
shift $(($# < 3 ? $# : 3))

if [[ ${ETL_SKIP_INFRA:-0} != 1 ]]; then
  bash "$ROOT/deploy/local/infra.sh"
fi
mkdir -p "$ROOT/.local/bench"
cd "$ROOT"
exec ./etl bench --rows "$ROWS" --transformers "$TRANSFORMERS" --runs "$RUNS" \
  --out "$ROOT/.local/bench/bench-$ROWS-$TRANSFORMERS.json" "$@"
