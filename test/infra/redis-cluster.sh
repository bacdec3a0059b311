#!/usr/bin/env bash
# A real Redis Cluster of 3 primaries and 3 replicas for tests and benchmarks, from Debian's
# redis-server and redis-cli (no Docker): 6 processes on consecutive ports, AOF on, data under the
# checkout's git-ignored .redis-cluster/ folder.
#
# Usage: bash test/infra/redis-cluster.sh {start|stop|status|env|nodes|kill-primary [slot]|revive port|logs [port]}
# Knobs (env):
#   REDIS_CLUSTER_HOST (127.0.0.1)  REDIS_CLUSTER_PORT (7000: ports 7000-7005)
#   REDIS_CLUSTER_DIR (<repo>/.redis-cluster)  REDIS_CLUSTER_NODE_TIMEOUT (2000 ms: failover speed)
#   REDIS_CLUSTER_MAXMEMORY (64mb per node)
# `env` prints REDIS_CLUSTER_NODES for the relay; `kill-primary` kill -9s the primary serving a slot
# (default: the slot of the key "jira-relay"), so its replica takes over, and prints its port;
# `revive port` starts that node again, and it rejoins as a replica of the promoted one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOST="${REDIS_CLUSTER_HOST:-127.0.0.1}"
BASE_PORT="${REDIS_CLUSTER_PORT:-7000}"
DIR="${REDIS_CLUSTER_DIR:-$ROOT/.redis-cluster}"
NODE_TIMEOUT="${REDIS_CLUSTER_NODE_TIMEOUT:-2000}"
MAXMEMORY="${REDIS_CLUSTER_MAXMEMORY:-64mb}"
PORTS=()
for i in 0 1 2 3 4 5; do PORTS+=("$((BASE_PORT + i))"); done

log() { printf '[redis-cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (Debian: apt-get install redis-server)"
  command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (Debian: apt-get install redis-tools)"
}

cli() { redis-cli -h "$HOST" -p "$1" "${@:2}"; }
up() { cli "$1" ping >/dev/null 2>&1; }
pidfile() { echo "$DIR/$1/redis.pid"; }
# A killed node can linger as a zombie until it is reaped, and kill -0 still succeeds on a zombie.
alive() { local stat; stat="$(ps -o stat= -p "$1" 2>/dev/null)" && [ -n "$stat" ] && [[ "$stat" != Z* ]]; }
running() { [ -f "$(pidfile "$1")" ] && alive "$(cat "$(pidfile "$1")")"; }

start_node() {
  local port="$1"
  mkdir -p "$DIR/$port"
  running "$port" && return 0
  # noeviction: queues and state must never be evicted (the relay refuses to start otherwise).
  redis-server --port "$port" --bind "$HOST" --daemonize yes --dir "$DIR/$port" \
    --pidfile "$(pidfile "$port")" --logfile "$DIR/$port/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$NODE_TIMEOUT" \
    --cluster-replica-validity-factor 0 \
    --appendonly yes --appendfsync everysec --maxmemory "$MAXMEMORY" --maxmemory-policy noeviction \
    --save '' --protected-mode no
}

wait_up() {
  local port="$1" deadline=$(( $(date +%s) + 20 ))
  until up "$port"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "node $port did not answer (log: $DIR/$port/redis.log)"
    sleep 0.1
  done
}

cluster_ok() { cli "${PORTS[0]}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

cmd_start() {
  need
  for port in "${PORTS[@]}"; do start_node "$port"; done
  for port in "${PORTS[@]}"; do wait_up "$port"; done
  if ! cli "${PORTS[0]}" cluster info | grep -q 'cluster_slots_assigned:16384'; then
    local nodes=()
    for port in "${PORTS[@]}"; do nodes+=("$HOST:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$DIR/create.log" 2>&1 ||
      { cat "$DIR/create.log" >&2; die "cluster create failed"; }
  fi
  local deadline=$(( $(date +%s) + 30 ))
  until cluster_ok; do
    [ "$(date +%s)" -lt "$deadline" ] || die "cluster not ok after 30 s"
    sleep 0.2
  done
  log "ready: REDIS_CLUSTER_NODES=$(nodes_list)"
}

cmd_stop() {
  for port in "${PORTS[@]}"; do
    if running "$port"; then kill -TERM "$(cat "$(pidfile "$port")")" 2>/dev/null || true; fi
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 50); do running "$port" || break; sleep 0.1; done
    if running "$port"; then kill -KILL "$(cat "$(pidfile "$port")")" 2>/dev/null || true; fi
  done
  rm -rf "$DIR"
  log "stopped (data removed)"
}

nodes_list() {
  local out=()
  for port in "${PORTS[@]}"; do out+=("$HOST:$port"); done
  (IFS=,; echo "${out[*]}")
}

# kill -9 the primary that serves a slot; its replica is promoted after NODE_TIMEOUT.
cmd_kill_primary() {
  local slot="${1:-$(cli "${PORTS[0]}" cluster keyslot jira-relay)}"
  local port
  port="$(cli "${PORTS[0]}" cluster shards | awk -v s="$slot" '
    /^slots$/ { getline a; getline b; lo = a + 0; hi = b + 0 }
    /^port$/ { getline p; port = p }
    /^role$/ { getline r; if (r == "master" && s >= lo && s <= hi) { print port; exit } }')"
  if [ -z "$port" ]; then
    port="$(cli "${PORTS[0]}" cluster nodes | awk -v s="$slot" '$3 ~ /master/ && $8 != "" {
      for (i = 9; i <= NF; i++) { split($i, r, "-"); if (s >= r[1] && s <= (r[2] == "" ? r[1] : r[2])) { split($2, h, "[:@]"); print h[2]; exit } } }')"
  fi
  [ -n "$port" ] || die "no primary found for slot $slot"
  kill -KILL "$(cat "$(pidfile "$port")")"
  # Gone before returning, so a `revive` right after starts it again instead of seeing it running.
  for _ in $(seq 1 50); do running "$port" || break; sleep 0.1; done
  log "kill -9 primary :$port (slot $slot); its replica takes over within ~$((NODE_TIMEOUT * 2)) ms"
  echo "$port"
}

# Start a killed node again: it rejoins as a replica of the promoted one.
cmd_revive() { start_node "$1"; wait_up "$1"; log "node $1 back"; }

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) if cluster_ok; then echo "ok: $(nodes_list)"; else echo "not ok"; exit 1; fi ;;
  env) echo "export REDIS_CLUSTER_NODES=$(nodes_list)" ;;
  nodes) cli "${PORTS[0]}" cluster nodes ;;
  kill-primary) cmd_kill_primary "${2:-}" ;;
  revive) cmd_revive "${2:?port}" ;;
  logs) tail -n 100 "$DIR/${2:-${PORTS[0]}}/redis.log" ;;
  *) echo "usage: bash $0 {start|stop|status|env|nodes|kill-primary [slot]|revive port|logs [port]}" >&2; exit 2 ;;
esac
