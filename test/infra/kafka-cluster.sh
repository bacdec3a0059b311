#!/usr/bin/env bash
# A 3-node KRaft Apache Kafka cluster (each node broker + controller) for tests and benchmarks, from
# the same Maven Central jars as test/infra/kafka.sh, with small heaps; data under the checkout's
# git-ignored .kafka-local/cluster-<n>/ folders. Topics can then use replication factor 3 with
# min.insync.replicas 2, and one node can be stopped and started again.
#
# Usage: bash test/infra/kafka-cluster.sh {start|stop|status|env|stop-node n|start-node n}
# Knobs (env): KAFKA_CLUSTER_HOST (127.0.0.1), KAFKA_CLUSTER_PORT (19292: brokers on 19292, 19294,
#   19296; controllers one above each), KAFKA_CLUSTER_HEAP (-Xms128m -Xmx256m per node),
#   KAFKA_CLUSTER_NAME (cluster: data in .kafka-local/<name>-<n>; two clusters need two names)
# Memory: about 3 x 330 MB resident (see README, "Services for tests").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOST="${KAFKA_CLUSTER_HOST:-127.0.0.1}"
BASE="${KAFKA_CLUSTER_PORT:-19292}"
HEAP="${KAFKA_CLUSTER_HEAP:--Xms128m -Xmx256m}"
NAME="${KAFKA_CLUSTER_NAME:-cluster}"
IDFILE="$ROOT/.kafka-local/$NAME.id"

log() { printf '[kafka-cluster] %s\n' "$*" >&2; }

port() { echo $((BASE + 2 * ($1 - 1))); }
cport() { echo $(($(port "$1") + 1)); }
voters() { echo "1@$HOST:$(cport 1),2@$HOST:$(cport 2),3@$HOST:$(cport 3)"; }
brokers() { echo "$HOST:$(port 1),$HOST:$(port 2),$HOST:$(port 3)"; }

# One node through kafka.sh, with its own dir, ports and id, and the cluster's voters and id.
node() {
  local n="$1" action="$2"
  KAFKA_LOCAL_DIR="$ROOT/.kafka-local/$NAME-$n" KAFKA_HOST="$HOST" KAFKA_PORT="$(port "$n")" \
    KAFKA_CONTROLLER_PORT="$(cport "$n")" KAFKA_NODE_ID="$n" KAFKA_QUORUM_VOTERS="$(voters)" \
    KAFKA_CLUSTER_ID="$(cat "$IDFILE")" KAFKA_INTERNAL_RF=3 KAFKA_HEAP_OPTS="$HEAP" \
    KAFKA_FRESH="${FRESH:-0}" KAFKA_LOG_LEVEL="${KAFKA_LOG_LEVEL:-WARN}" bash "$ROOT/test/infra/kafka.sh" "$action"
}

cmd_start() {
  bash "$ROOT/test/infra/kafka.sh" fetch
  mkdir -p "$ROOT/.kafka-local"
  if [ ! -s "$IDFILE" ]; then
    java -Xmx128m -cp "$ROOT/.kafka-local/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1 > "$IDFILE"
  fi
  # A node is ready only once a quorum of controllers is up: start all three at once.
  local pids=()
  for n in 1 2 3; do FRESH="${FRESH:-1}" node "$n" start & pids+=("$!"); done
  local failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { log "a node failed to start"; exit 1; }
  log "ready: KAFKA_BROKERS=$(brokers)"
}

cmd_stop() {
  # All at once: stopped one by one, the last node has lost its controller quorum and its
  # controlled shutdown waits out kafka.sh's 30 s before the KILL.
  local pids=()
  for n in 1 2 3; do node "$n" stop & pids+=("$!"); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  rm -rf "$ROOT/.kafka-local/$NAME"-[123] "$IDFILE"
  log "stopped (data removed)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) for n in 1 2 3; do node "$n" status || true; done ;;
  env) echo "export KAFKA_BROKERS=$(brokers)" ;;
  # Stops one node gracefully and keeps its data; start-node brings it back with the same data.
  stop-node) node "${2:?node 1-3}" stop ;;
  start-node) node "${2:?node 1-3}" start ;;
  *) echo "usage: bash $0 {start|stop|status|env|stop-node n|start-node n}" >&2; exit 2 ;;
esac
