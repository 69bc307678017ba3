#!/usr/bin/env bash
# Stops every service started by deploy/local/up.sh (TERM, up to 10 s, then KILL) and removes
# their pid files. Idempotent. With --all, also stops RabbitMQ and PostgreSQL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PIDS="$ROOT/.local/pids"
PUBLISH="$ROOT/.local/publish"

ALL=0
for arg in "$@"; do
  case $arg in
    --all) ALL=1 ;;
    -h | --help) echo "usage: $0 [--all]"; exit 0 ;;
    *) echo "usage: $0 [--all]" >&2; exit 2 ;;
  esac
done

log() { printf '[down] %s\n' "$*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# pid from a pid file if that process is alive and still one of ours (no pid reuse).
our_pid() {
  local pid
  pid="$(<"$1")" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PUBLISH/" || return 1
  echo "$pid"
}

# Signal the process group (up.sh starts each service with setsid), else the process.
signal() { kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true; }

names=() pids=()
if [[ -d $PIDS ]]; then
  for file in "$PIDS"/*.pid; do
    [[ -e $file ]] || continue
    name="$(basename "$file" .pid)"
    if pid="$(our_pid "$file")"; then
      log "stopping $name (pid $pid)"
      signal TERM "$pid"
      names+=("$name")
      pids+=("$pid")
    else
      rm -f "$file"
    fi
  done
fi

if ((${#pids[@]} > 0)); then
  for ((i = 0; i < 100; i++)); do
    alive=0
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; break; fi
    done
    ((alive)) || break
    sleep 0.1
  done
  for idx in "${!pids[@]}"; do
    pid=${pids[$idx]}
    if kill -0 "$pid" 2>/dev/null; then
      log "${names[$idx]} (pid $pid) still running after 10 s: KILL"
      signal KILL "$pid"
    fi
    rm -f "$PIDS/${names[$idx]}.pid"
  done
  log "services stopped"
else
  log "no services running"
fi

if ((ALL)); then
  if command -v rabbitmqctl >/dev/null 2>&1 && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    log "stopping RabbitMQ"
    as_root rabbitmqctl -q stop </dev/null >/dev/null 2>&1 || log "rabbitmqctl stop failed"
  else
    log "RabbitMQ not running"
  fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r ver cluster _port status _rest; do
      if [[ $status == online* ]]; then
        log "stopping PostgreSQL $ver/$cluster"
        as_root pg_ctlcluster "$ver" "$cluster" stop -m fast </dev/null >/dev/null || log "pg_ctlcluster stop failed"
      fi
    done < <(pg_lsclusters -h 2>/dev/null)
  fi
  log "infrastructure stopped"
fi
