#!/usr/bin/env bash
# Local infrastructure for SalesEtl: PostgreSQL + RabbitMQ (+ the Prometheus and Chromium packages).
# Idempotent: installs what is missing (Debian packages), starts what is not running,
# creates the etl role/database and the etl broker user. Safe to run any number of times.
# Needs root (or passwordless sudo). Works without systemd: daemons are started directly.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export ROOT

ETL_USER=etl
ETL_PASSWORD=etl
ETL_DATABASE=sales_etl
PG_MAX_CONNECTIONS=300
# Memory for PostgreSQL: a quarter of the machine's RAM for shared_buffers (at most 4 GB, at least Debian's
# 128 MB), half for the planner's idea of the OS cache. With Debian's 128 MB the 10 M-row metrics step
# thrashed: its primary-key inserts and hash aggregates did not fit (docs/PERFORMANCE.md).
MEM_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
PG_SHARED_BUFFERS_MB=$(( MEM_MB / 4 > 4096 ? 4096 : (MEM_MB / 4 < 128 ? 128 : MEM_MB / 4) ))
PG_EFFECTIVE_CACHE_MB=$(( MEM_MB / 2 ))
RABBIT_PLUGINS=(rabbitmq_management rabbitmq_prometheus)
RABBIT_LOG=/var/log/rabbitmq/etl-startup.log

log() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root (sudo when we are not root).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "must run as root (or with passwordless sudo): $*"
  fi
}

# Run a command as another system user (postgres, rabbitmq).
as_user() {
  local user=$1; shift
  if [[ $(id -un) == "$user" ]]; then "$@"
  elif [[ $(id -u) -eq 0 ]]; then runuser -u "$user" -- "$@"
  else sudo -n -u "$user" -- "$@"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- packages
install_packages() {
  local missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null \
    || missing+=(postgresql)
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  # Headless Chromium: the run report's browser test (screenshot, console, rendered figures).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
  command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  if ((${#missing[@]} == 0)); then
    log "packages present: postgresql rabbitmq-server prometheus chromium"
    return
  fi
  log "installing: ${missing[*]}"
  # Keep apt's maintainer scripts from starting daemons: we start them ourselves below
  # (there is no init system to hand them to, and they would inherit our stdio).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    created_policy=1
  fi
  local rc=0
  {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } </dev/null >/tmp/etl-infra-apt.log 2>&1 || rc=$?
  ((created_policy)) && as_root rm -f "$policy"
  if ((rc != 0)); then
    tail -n 40 /tmp/etl-infra-apt.log >&2
    die "apt-get failed (full log: /tmp/etl-infra-apt.log)"
  fi
  log "installed: ${missing[*]}"
}

# ---------------------------------------------------------------- PostgreSQL
PG_VERSION=""
PG_PORT=5432

pg_status() { pg_lsclusters -h "$PG_VERSION" main 2>/dev/null | awk '{print $4}'; }

pg_psql() { as_user postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"; }

pg_start() {
  # setsid: the postmaster must not belong to the caller's session/process group.
  as_root setsid -w pg_ctlcluster "$PG_VERSION" main start </dev/null >/dev/null 2>&1 || {
    as_root tail -n 30 "/var/log/postgresql/postgresql-$PG_VERSION-main.log" >&2 || true
    die "PostgreSQL $PG_VERSION failed to start"
  }
}

pg_wait_ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    if as_user postgres pg_isready -q -p "$PG_PORT"; then return 0; fi
    sleep 1
  done
  die "PostgreSQL did not become ready on port $PG_PORT"
}

setup_postgres() {
  PG_VERSION="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null \
    | grep -E '^[0-9]+$' | sort -n | tail -n 1 || true)"
  [[ -n $PG_VERSION ]] || die "no PostgreSQL found under /usr/lib/postgresql"

  if [[ ! -d /etc/postgresql/$PG_VERSION/main ]]; then
    log "creating PostgreSQL $PG_VERSION cluster 'main'"
    as_root pg_createcluster "$PG_VERSION" main </dev/null >/dev/null
  fi
  PG_PORT="$(pg_lsclusters -h "$PG_VERSION" main | awk '{print $3}')"

  # Our settings live in a conf.d drop-in (Debian's postgresql.conf includes conf.d last).
  local conf_dir="/etc/postgresql/$PG_VERSION/main/conf.d"
  local conf="$conf_dir/50-sales-etl.conf"
  local want
  want="$(printf '%s\n' \
    '# Managed by SalesEtl deploy/local/infra.sh' \
    "listen_addresses = 'localhost'" \
    "max_connections = $PG_MAX_CONNECTIONS" \
    "password_encryption = 'scram-sha-256'" \
    "shared_buffers = ${PG_SHARED_BUFFERS_MB}MB" \
    "effective_cache_size = ${PG_EFFECTIVE_CACHE_MB}MB" \
    "maintenance_work_mem = 256MB" \
    '# Bulk loads: fewer, spread checkpoints instead of one every 1 GB of WAL.' \
    "max_wal_size = 8GB" \
    "min_wal_size = 1GB" \
    "checkpoint_timeout = 15min" \
    "checkpoint_completion_target = 0.9")"
  local changed=0
  if [[ ! -f $conf ]] || [[ "$(cat "$conf")" != "$want" ]]; then
    as_root mkdir -p "$conf_dir"
    printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
    as_root chown postgres:postgres "$conf" 2>/dev/null || true
    log "wrote $conf (max_connections=$PG_MAX_CONNECTIONS, shared_buffers=${PG_SHARED_BUFFERS_MB}MB)"
    changed=1
  fi

  if [[ "$(pg_status)" == online ]]; then
    log "PostgreSQL $PG_VERSION already running (port $PG_PORT)"
  else
    log "starting PostgreSQL $PG_VERSION (port $PG_PORT)"
    pg_start
  fi
  pg_wait_ready

  if [[ $changed == 1 ]]; then
    pg_psql -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 1 # the postmaster re-reads the files asynchronously; pending_restart shows what a reload cannot apply
  fi
  local current
  current="$(pg_psql -At -c 'SHOW max_connections')"
  local pending
  pending="$(pg_psql -At -c 'SELECT count(*) FROM pg_settings WHERE pending_restart')"
  if [[ $current != "$PG_MAX_CONNECTIONS" ]] || [[ $pending != 0 ]]; then
    log "restarting PostgreSQL to apply $conf (max_connections was $current; $pending setting(s) pending a restart)"
    as_root setsid -w pg_ctlcluster "$PG_VERSION" main restart -m fast </dev/null >/dev/null 2>&1 \
      || die "PostgreSQL restart failed"
    pg_wait_ready
    current="$(pg_psql -At -c 'SHOW max_connections')"
    [[ $current == "$PG_MAX_CONNECTIONS" ]] || die "max_connections is $current after restart"
  fi

  # Role (superuser: tests create/drop their own databases and may need extensions).
  pg_psql <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ETL_USER') THEN
    CREATE ROLE $ETL_USER LOGIN CREATEDB SUPERUSER PASSWORD '$ETL_PASSWORD';
  ELSE
    ALTER ROLE $ETL_USER LOGIN CREATEDB SUPERUSER PASSWORD '$ETL_PASSWORD';
  END IF;
END
\$\$;
SQL
  if [[ "$(pg_psql -At -c "SELECT 1 FROM pg_database WHERE datname = '$ETL_DATABASE'")" != 1 ]]; then
    pg_psql -c "CREATE DATABASE $ETL_DATABASE OWNER $ETL_USER"
    log "created database $ETL_DATABASE"
  else
    pg_psql -c "ALTER DATABASE $ETL_DATABASE OWNER TO $ETL_USER"
  fi

  # Verify TCP password login as the application user.
  PGPASSWORD=$ETL_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$ETL_USER" \
    -d "$ETL_DATABASE" -At -c 'select 1' >/dev/null </dev/null \
    || die "cannot log in to PostgreSQL as $ETL_USER over TCP (check pg_hba.conf)"
  log "PostgreSQL ready: postgres://$ETL_USER:***@localhost:$PG_PORT/$ETL_DATABASE (max_connections=$PG_MAX_CONNECTIONS)"
}

# ---------------------------------------------------------------- RabbitMQ
rmqctl() { as_root rabbitmqctl -q "$@" </dev/null; }

rabbit_running() {
  port_open 5672 && as_root timeout 30 rabbitmqctl -q await_startup --timeout 20 </dev/null >/dev/null 2>&1
}

rabbit_wait_http() { # url user:pass seconds
  local url=$1 cred=$2 secs=$3 i
  for ((i = 0; i < secs; i++)); do
    if curl -fsS -o /dev/null --max-time 3 ${cred:+-u "$cred"} "$url" 2>/dev/null; then return 0; fi
    sleep 1
  done
  return 1
}

setup_rabbitmq() {
  if port_open 5672; then
    log "RabbitMQ already listening on 5672"
    rabbit_running || die "something listens on 5672 but rabbitmqctl cannot reach the RabbitMQ node"
    # Running: enable the plugins online (no-op when already enabled).
    as_root rabbitmq-plugins -q enable "${RABBIT_PLUGINS[@]}" </dev/null >/dev/null
  else
    # The node is named rabbit@<short hostname>; CI containers sometimes cannot resolve their
    # own hostname, which keeps Erlang distribution (and rabbitmqctl) from working.
    local env_conf=/etc/rabbitmq/rabbitmq-env.conf
    if ! getent hosts "$(hostname -s)" >/dev/null 2>&1 \
      && ! grep -qE '^[[:space:]]*(RABBITMQ_)?NODENAME=' "$env_conf" 2>/dev/null; then
      log "hostname $(hostname -s) does not resolve: naming the RabbitMQ node rabbit@localhost"
      printf 'NODENAME=rabbit@localhost\n' | as_root tee -a "$env_conf" >/dev/null
    fi
    as_root rabbitmq-plugins -q enable --offline "${RABBIT_PLUGINS[@]}" </dev/null >/dev/null
    log "starting RabbitMQ (plugins: ${RABBIT_PLUGINS[*]})"
    as_root mkdir -p "$(dirname "$RABBIT_LOG")"
    as_root chown rabbitmq:rabbitmq "$(dirname "$RABBIT_LOG")" 2>/dev/null || true
    # -detached daemonizes; setsid + redirected stdio keep the broker (and epmd) out of our
    # session and off our stdout, so callers that capture output do not hang.
    as_root setsid rabbitmq-server -detached </dev/null >>"$RABBIT_LOG" 2>&1 || true
    local i
    for ((i = 0; i < 90; i++)); do
      port_open 5672 && break
      sleep 1
    done
    if ! rabbit_running; then
      tail -n 30 "$RABBIT_LOG" >&2 || true
      as_root sh -c 'tail -n 40 /var/log/rabbitmq/rabbit@*.log' >&2 2>/dev/null || true
      die "RabbitMQ did not start"
    fi
  fi

  # User etl/etl, administrator, full permissions on vhost /.
  if rmqctl list_users | awk '{print $1}' | grep -qx "$ETL_USER"; then
    rmqctl change_password "$ETL_USER" "$ETL_PASSWORD" >/dev/null
  else
    rmqctl add_user "$ETL_USER" "$ETL_PASSWORD" >/dev/null
    log "created RabbitMQ user $ETL_USER"
  fi
  rmqctl set_user_tags "$ETL_USER" administrator >/dev/null
  rmqctl set_permissions -p / "$ETL_USER" '.*' '.*' '.*' >/dev/null

  rabbit_wait_http "http://127.0.0.1:15672/api/overview" "$ETL_USER:$ETL_PASSWORD" 60 \
    || die "RabbitMQ management API (15672) does not answer for $ETL_USER"
  rabbit_wait_http "http://127.0.0.1:15692/metrics" "" 30 \
    || die "RabbitMQ prometheus endpoint (15692) does not answer"
  log "RabbitMQ ready: amqp://$ETL_USER:***@localhost:5672/ management http://localhost:15672 metrics http://localhost:15692/metrics"
}

# ---------------------------------------------------------------- main
install_packages
setup_postgres
setup_rabbitmq
log "prometheus: $(command -v prometheus) (not started; tests start their own)"
log "infrastructure ready"
