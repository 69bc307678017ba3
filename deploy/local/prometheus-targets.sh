#!/usr/bin/env bash
# Writes a Prometheus file_sd targets file: one target localhost:PORT per given port.
#   prometheus-targets.sh FILE PORT...
# up.sh writes .local/prometheus/transformers.json with the transformer replicas it starts, which
# deploy/prometheus/prometheus.yml reads (job transformer): Prometheus scrapes exactly those, so
# no target stays down for a replica that was never started. Written to a temporary file, then
# renamed: Prometheus watches the file and must never read half of it.
set -euo pipefail

(($# >= 2)) || { echo "usage: $0 FILE PORT..." >&2; exit 2; }
file=$1
shift
targets=()
for port in "$@"; do
  [[ $port =~ ^[0-9]+$ ]] || { echo "[prometheus-targets] not a port: $port" >&2; exit 2; }
  targets+=("\"localhost:$port\"")
done
mkdir -p "$(dirname "$file")"
joined="$(IFS=,; echo "${targets[*]}")"
printf '[{"targets": [%s]}]\n' "${joined//,/, }" >"$file.tmp"
mv -f "$file.tmp" "$file"
