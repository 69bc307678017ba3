#!/usr/bin/env bash
# Measures the highest stream rate the pipeline keeps up with: runs the keep-up acceptance test
# (every service a process, real RabbitMQ and PostgreSQL) for SECONDS at each rate in turn, until one
# fails, and prints each run's figures and the load average. Not part of CI.
#   bash deploy/local/stream-rate.sh [SECONDS] [RATE...]      default: 60 s at 1000 1500 2000 2500 3000
# Build first: dotnet build tests/SalesEtl.Streaming.Tests -c Release
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_PER_RATE="${1:-60}"
shift || true
RATES=("$@")
[[ ${#RATES[@]} -gt 0 ]] || RATES=(1000 1500 2000 2500 3000)

export ETL_TEST_POSTGRES="${ETL_TEST_POSTGRES:-Host=localhost;Port=5432;Username=etl;Password=etl;Database=postgres}"
export ETL_TEST_RABBITMQ="${ETL_TEST_RABBITMQ:-amqp://etl:etl@localhost:5672/}"
export ETL_TEST_RABBITMQ_MANAGEMENT="${ETL_TEST_RABBITMQ_MANAGEMENT:-http://localhost:15672}"
export ETL_STREAM_SECONDS="$SECONDS_PER_RATE"

kept=none
for rate in "${RATES[@]}"; do
  log="$(mktemp)"
  echo "== $rate events/s for $SECONDS_PER_RATE s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  ETL_STREAM_RATE="$rate" dotnet test tests/SalesEtl.Streaming.Tests -c Release --no-build \
    --filter "FullyQualifiedName~Keeping_up_with_the_simulator" --logger "console;verbosity=detailed" >"$log" 2>&1
  rc=$?
  grep -E "^ +(achieved|drained)" "$log" | sort -u
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ $rc -ne 0 ]]; then
    grep -E -A3 "Error Message" "$log" | head -4
    echo "== did not keep up at $rate events/s; highest rate kept up: $kept (a lower bound: the load average above)"
    rm -f "$log"
    exit 0
  fi
  rm -f "$log"
  echo "   kept up"
  kept="$rate events/s"
done
echo "== kept up at every rate asked, ${RATES[-1]} events/s included"
