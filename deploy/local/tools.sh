#!/usr/bin/env bash
# Offline validators of the deployment files (tests/SalesEtl.Deploy.Tests):
#   docker-compose (Debian's 1.29: `docker-compose config -q` of docker-compose.yml)
#   yamllint       (k8s/, docker-compose.yml, the CI workflow)
#   node + npm     (Debian's nodejs and npm; tests/SalesEtl.Deploy.Tests/k8s-validate:
#                  kubernetes-models, dockerfile-utils; they need node >= 18, bookworm has 18)
# Checks, without installing, the one tool that Debian does not package:
#   kubectl        (its built-in kustomize renders k8s/ overlays); it comes with the machine
#                  image (GitHub's runners and the CI container's host image have it)
# Idempotent, like infra.sh: installs only what is missing. Needs root (or passwordless sudo)
# to install. Exit code 1 when something required is still missing afterwards.
set -euo pipefail

log() { printf '[tools] %s\n' "$*"; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "must run as root (or with passwordless sudo): $*"
  fi
}

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} == 0)); then
  log "packages present: docker-compose yamllint nodejs npm"
else
  log "installing: ${missing[*]}"
  rc=0
  {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } </dev/null >/tmp/etl-tools-apt.log 2>&1 || rc=$?
  if ((rc != 0)); then
    tail -n 40 /tmp/etl-tools-apt.log >&2
    die "apt-get failed (full log: /tmp/etl-tools-apt.log)"
  fi
  log "installed: ${missing[*]}"
fi

status=0
for tool in docker-compose yamllint node npm; do
  command -v "$tool" >/dev/null 2>&1 || { log "ERROR: $tool is still missing"; status=1; }
done
if command -v kubectl >/dev/null 2>&1; then
  log "kubectl: $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
elif command -v kustomize >/dev/null 2>&1; then
  log "kustomize: $(kustomize version 2>/dev/null)"
else
  # Neither is packaged by Debian bookworm nor published on npm; the machine image ships kubectl.
  log "ERROR: neither kubectl nor kustomize is installed: the k8s overlays cannot be rendered"
  status=1
fi
((status == 0)) && log "deployment validators ready"
exit "$status"
