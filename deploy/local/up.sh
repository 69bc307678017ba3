#!/usr/bin/env bash
# Starts the whole SalesEtl system locally as background processes:
#   infra.sh (PostgreSQL + RabbitMQ) -> dotnet publish (only when sources changed)
#   -> catalog, orchestrator, then the workers; waits for /health/live on each.
# Idempotent: services whose pid is alive are left alone.
# Environment: ETL_TRANSFORMERS=N (transformer replicas, default 1), ETL_PRODUCTS_FILE,
# ETL_SKIP_INFRA=1 (do not run infra.sh), ETL_HEALTH_TIMEOUT (seconds, default 60);
# everything else (ConnectionStrings__Postgres, RabbitMq__Host, ...) passes through.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CALLER_PWD="$PWD"
cd "$ROOT"

LOCAL="$ROOT/.local"
PUBLISH="$LOCAL/publish"
LOGS="$LOCAL/logs"
PIDS="$LOCAL/pids"
STAMP="$PUBLISH/.stamp"
HEALTH_TIMEOUT="${ETL_HEALTH_TIMEOUT:-60}"
TRANSFORMERS="${ETL_TRANSFORMERS:-1}"
[[ $TRANSFORMERS =~ ^[1-9][0-9]*$ ]] || { echo "[up] ETL_TRANSFORMERS must be a positive integer" >&2; exit 2; }

log() { printf '[up] %s\n' "$*"; }
die() { printf '[up] ERROR: %s\n' "$*" >&2; exit 1; }

# publish name -> project folder (assembly name = folder name). Order = start order.
PUBLISH_NAMES=(catalog orchestrator ingestor product-sync transformer metrics-loader)
declare -A PROJECT=(
  [catalog]=SalesEtl.Catalog
  [orchestrator]=SalesEtl.Orchestrator
  [ingestor]=SalesEtl.Ingestor
  [product-sync]=SalesEtl.ProductSync
  [transformer]=SalesEtl.Transformer
  [metrics-loader]=SalesEtl.MetricsLoader
)

# Running instances: "instance publish-name port".
INSTANCES=(
  "catalog catalog 5105"
  "orchestrator orchestrator 5100"
  "ingestor ingestor 5101"
  "product-sync product-sync 5102"
)
for ((i = 1; i <= TRANSFORMERS; i++)); do
  INSTANCES+=("transformer-$i transformer $((5103 + (i - 1) * 10))")
done
INSTANCES+=("metrics-loader metrics-loader 5104")

mkdir -p "$PUBLISH" "$LOGS" "$PIDS"

# ---------------------------------------------------------------- helpers
# pid of a running instance started by us, or nothing.
live_pid() {
  local file="$PIDS/$1.pid" pid
  [[ -f $file ]] || return 1
  pid="$(<"$file")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: it must still be one of our dotnet processes.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PUBLISH/" || return 1
  echo "$pid"
}

stop_instance() {
  local name=$1 pid i
  if pid="$(live_pid "$name")"; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

# GET /health/live == 200? Remembers the last status per port for error messages.
declare -A LAST_STATUS=()
health_ok() {
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/health/live" 2>/dev/null || true)"
  LAST_STATUS[$1]="${code:-000}"
  [[ $code == 200 ]]
}

fail_service() { # name reason
  local name=$1
  printf '[up] ERROR: %s %s. Last lines of %s:\n' "$name" "$2" "$LOGS/$name.log" >&2
  tail -n 40 "$LOGS/$name.log" >&2 2>/dev/null || true
  exit 1
}

# Wait until every given instance ("name port") answers /health/live with 200.
wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) pending=("$@") still entry name port
  while ((${#pending[@]} > 0)); do
    still=()
    for entry in "${pending[@]}"; do
      read -r name port <<<"$entry"
      if health_ok "$port"; then
        log "$name healthy on http://127.0.0.1:$port"
      elif ! live_pid "$name" >/dev/null; then
        fail_service "$name" "exited before becoming healthy"
      else
        still+=("$entry")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for entry in "${pending[@]}"; do
        read -r name port <<<"$entry"
        printf '[up] ERROR: %s not healthy on port %s after %ss (last status: %s)\n' \
          "$name" "$port" "$HEALTH_TIMEOUT" "${LAST_STATUS[$port]:-none}" >&2
      done
      read -r name port <<<"${pending[0]}"
      fail_service "$name" "did not answer GET /health/live with 200 within ${HEALTH_TIMEOUT}s"
    fi
    sleep 1
  done
}

start_instance() { # name publish-name port
  local name=$1 pub=$2 port=$3 pid
  local dll="$PUBLISH/$pub/${PROJECT[$pub]}.dll"
  if pid="$(live_pid "$name")"; then
    log "$name already running (pid $pid)"
    return
  fi
  [[ -f $dll ]] || die "$dll not found (publish failed?)"
  log "starting $name on port $port"
  {
    printf '\n===== %s starting %s on port %s =====\n' "$(date -Is)" "$name" "$port"
  } >>"$LOGS/$name.log"
  # setsid: own process group (down.sh stops the group); nohup + redirects: survive the caller.
  (
    if [[ $pub == catalog ]]; then
      products="${ETL_PRODUCTS_FILE:-$ROOT/samples/products.json}"
      [[ $products == /* ]] || products="$CALLER_PWD/$products"
      export Catalog__ProductsFile="$products"
    fi
    export ETL_INSTANCE_NAME="$name"
    # Local processes are local development: the built-in localhost credentials are allowed here
    # (every service refuses them in any other environment).
    export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
    cd "$PUBLISH/$pub"
    exec setsid nohup dotnet "$dll" --urls "http://127.0.0.1:$port" </dev/null >>"$LOGS/$name.log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  # Wait for the exec into dotnet so live_pid (which checks the command line) recognizes it.
  local i
  for ((i = 0; i < 50; i++)); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PUBLISH/" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
}

# ---------------------------------------------------------------- infrastructure
if [[ ${ETL_SKIP_INFRA:-0} != 1 ]]; then
  bash "$ROOT/deploy/local/infra.sh"
fi

# ---------------------------------------------------------------- publish
needs_publish() {
  [[ -f $STAMP ]] || return 0
  local pub
  for pub in "${PUBLISH_NAMES[@]}"; do
    [[ -f "$PUBLISH/$pub/${PROJECT[$pub]}.dll" ]] || return 0
  done
  local newer
  newer="$(find services shared Directory.Build.props Directory.Packages.props global.json NuGet.config nuget.config \
    \( -type d \( -name bin -o -name obj -o -name node_modules \) -prune \) -o \
    \( -type f -newer "$STAMP" -print -quit \) 2>/dev/null || true)"
  [[ -n $newer ]]
}

if needs_publish; then
  # Never publish over a running service's files: stop what runs first.
  running=0
  for f in "$PIDS"/*.pid; do
    [[ -e $f ]] || continue
    if live_pid "$(basename "$f" .pid)" >/dev/null; then running=1; fi
  done
  if ((running)); then
    log "sources changed: stopping running services before publishing"
    bash "$ROOT/deploy/local/down.sh"
  fi
  new_stamp="$PUBLISH/.stamp.new"
  touch "$new_stamp"
  for pub in "${PUBLISH_NAMES[@]}"; do
    proj="services/${PROJECT[$pub]}/${PROJECT[$pub]}.csproj"
    [[ -f $proj ]] || die "$proj not found"
    log "publishing $pub"
    plog="$LOGS/publish-$pub.log"
    if ! dotnet publish "$proj" -c Release -o "$PUBLISH/$pub" --nologo -v quiet </dev/null >"$plog" 2>&1; then
      printf '[up] ERROR: dotnet publish failed for %s (%s):\n' "$pub" "$proj" >&2
      awk '!seen[$0]++' "$plog" | tail -n 40 >&2
      exit 1
    fi
  done
  mv -f "$new_stamp" "$STAMP"
else
  log "publish up to date (.local/publish)"
fi

# ---------------------------------------------------------------- start
# Extra transformer replicas from an earlier, larger ETL_TRANSFORMERS.
for f in "$PIDS"/transformer-*.pid; do
  [[ -e $f ]] || continue
  n="$(basename "$f" .pid)"; n="${n#transformer-}"
  if [[ $n =~ ^[0-9]+$ ]] && ((n > TRANSFORMERS)); then stop_instance "transformer-$n"; fi
done

# catalog first, orchestrator second (each waited for), then the workers together.
read -r name pub port <<<"${INSTANCES[0]}"
start_instance "$name" "$pub" "$port"
wait_healthy "$name $port"

read -r name pub port <<<"${INSTANCES[1]}"
start_instance "$name" "$pub" "$port"
wait_healthy "$name $port"

workers=()
for entry in "${INSTANCES[@]:2}"; do
  read -r name pub port <<<"$entry"
  start_instance "$name" "$pub" "$port"
  workers+=("$name $port")
done
wait_healthy "${workers[@]}"

# The transformers Prometheus scrapes (deploy/prometheus/prometheus.yml reads this file_sd file).
transformer_ports=()
for entry in "${INSTANCES[@]}"; do
  read -r name pub port <<<"$entry"
  [[ $pub == transformer ]] && transformer_ports+=("$port")
done
bash "$ROOT/deploy/local/prometheus-targets.sh" "$LOCAL/prometheus/transformers.json" "${transformer_ports[@]}"

log "all services up (logs: .local/logs, pids: .local/pids, stop: deploy/local/down.sh)"
