#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, broker+controller) for tests and the demo,
# started from Maven Central jars: no Docker needed, only Java 17+ and Maven.
#
# Usage: bash test/infra/kafka.sh {fetch|start|stop|restart|status|env|logs [n]}
# Knobs (env):
#   KAFKA_VERSION (4.4.0)   KAFKA_LOCAL_DIR (<repo>/.kafka-local)
#   KAFKA_HOST (127.0.0.1)  KAFKA_PORT (9092)  KAFKA_CONTROLLER_PORT (9093)
#   KAFKA_HEAP_OPTS (-Xms256m -Xmx512m)  KAFKA_START_TIMEOUT (120 s)
#   KAFKA_FRESH (1 = wipe the data dir on start; 0 keeps topics across restarts)
#   KAFKA_LOG_LEVEL (INFO)
#   For one node of a cluster (test/infra/kafka-cluster.sh sets these): KAFKA_NODE_ID (1),
#   KAFKA_QUORUM_VOTERS (1@HOST:CONTROLLER_PORT), KAFKA_CLUSTER_ID (random), KAFKA_INTERNAL_RF (1)
# Several brokers can run side by side: give each its own KAFKA_LOCAL_DIR and ports.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
BASE="${KAFKA_LOCAL_DIR:-$ROOT/.kafka-local}"
# Jars are shared by every broker dir of this checkout: fetch once.
LIBS="${KAFKA_LIBS_DIR:-$ROOT/.kafka-local/libs}"
DATA="$BASE/data"
LOGS="$BASE/logs"
CONF="$BASE/config"
PIDFILE="$BASE/kafka.pid"
HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
LOG_LEVEL="${KAFKA_LOG_LEVEL:-INFO}"
NODE_ID="${KAFKA_NODE_ID:-1}"
VOTERS="${KAFKA_QUORUM_VOTERS:-${NODE_ID}@${HOST}:${CPORT}}"
INTERNAL_RF="${KAFKA_INTERNAL_RF:-1}"

log() { printf '[kafka-local] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

have_libs() {
  [ -f "$LIBS/.kafka-version" ] && [ "$(cat "$LIBS/.kafka-version")" = "$KAFKA_VERSION" ] &&
    [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]
}

cmd_fetch() {
  if have_libs; then log "jars for Kafka $KAFKA_VERSION already in $LIBS"; return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven (and Java 17+), or export KAFKA_BROKERS for a broker you run"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  log "fetching Kafka $KAFKA_VERSION jars with Maven -> $LIBS"
  mvn -B -q -f "$ROOT/test/infra/pom.xml" -Dkafka.version="$KAFKA_VERSION" -Dkafka.libs.dir="$LIBS" \
    dependency:copy-dependencies
  [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  echo "$KAFKA_VERSION" > "$LIBS/.kafka-version"
}

write_configs() {
  mkdir -p "$CONF" "$DATA" "$LOGS"
  cat > "$CONF/server.properties" <<EOF
process.roles=broker,controller
node.id=${NODE_ID}
controller.quorum.voters=${VOTERS}
listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CPORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${DATA}
num.partitions=1
default.replication.factor=${INTERNAL_RF}
min.insync.replicas=1
offsets.topic.replication.factor=${INTERNAL_RF}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=${INTERNAL_RF}
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=${INTERNAL_RF}
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=4
EOF
  cat > "$CONF/log4j2.properties" <<EOF
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${LOG_LEVEL}
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
EOF
  cat > "$CONF/tools-log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = STDERR
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

storage_tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$CONF/tools-log4j2.properties" -cp "$LIBS/*" kafka.tools.StorageTool "$@"
}

cmd_format() {
  if [ -f "$DATA/meta.properties" ]; then log "data dir already formatted"; return 0; fi
  local cid="${KAFKA_CLUSTER_ID:-}"
  [ -n "$cid" ] || cid="$(storage_tool random-uuid | tail -n1 | tr -d '\r')"
  [ -n "$cid" ] || die "could not obtain a cluster id"
  storage_tool format -t "$cid" -c "$CONF/server.properties" --ignore-formatted >&2
}

is_running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

port_open() {
  node -e 'const s=require("net").connect(+process.argv[2],process.argv[1]);
           s.on("connect",()=>{s.end();process.exit(0)});s.on("error",()=>process.exit(1));
           setTimeout(()=>process.exit(1),1000)' "$HOST" "$PORT"
}

# The port alone is not enough (acceptors bind before requests are served): ask for metadata with
# the project's own client, and poke the group coordinator so __consumer_offsets exists early.
metadata_ok() {
  if [ -d "$ROOT/node_modules/kafkajs" ]; then
    (cd "$ROOT" && node -e '
      // kafkajs 2.2.4 warns TimeoutNegativeWarning on Node 24 (src/process-warnings.ts says why).
      process.removeAllListeners("warning");
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "kafka-local-ready", brokers: [process.argv[1]],
        logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 10000, retry: { retries: 0 } });
      const admin = kafka.admin();
      (async () => {
        await admin.connect();
        const c = await admin.describeCluster();
        if (!c.brokers.length) throw new Error("no brokers in metadata");
        try { await admin.describeGroups(["kafka-local-warmup"]); } catch {}
        await admin.disconnect();
      })().then(() => process.exit(0), () => process.exit(1));
    ' "$HOST:$PORT")
  else
    grep -q "Kafka Server started" "$LOGS/server.out"
  fi
}

wait_ready() {
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  while :; do
    if ! is_running; then
      tail -n 80 "$LOGS/server.out" >&2 || true
      die "broker exited during start-up (log: $LOGS/server.out)"
    fi
    if port_open && metadata_ok; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 80 "$LOGS/server.out" >&2 || true
      die "broker not ready after ${START_TIMEOUT}s (log: $LOGS/server.out)"
    fi
    sleep 1
  done
}

cmd_start() {
  command -v java >/dev/null 2>&1 || die "java not found: install a JDK 17+ (Debian: openjdk-17-jre-headless)"
  command -v node >/dev/null 2>&1 || die "node not found"
  have_libs || cmd_fetch
  if is_running; then log "already running (pid $(cat "$PIDFILE"))"; wait_ready; return 0; fi
  if port_open; then die "$HOST:$PORT is already in use by another process"; fi
  if [ "${KAFKA_FRESH:-1}" = "1" ]; then rm -rf "$DATA"; fi
  write_configs
  cmd_format
  : > "$LOGS/server.out"
  # shellcheck disable=SC2086  # HEAP / JVM_OPTS are word-split on purpose
  nohup java $HEAP $JVM_OPTS -Dlog4j2.configurationFile="$CONF/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
    -cp "$LIBS/*" kafka.Kafka "$CONF/server.properties" >>"$LOGS/server.out" 2>&1 &
  echo $! > "$PIDFILE"
  log "started pid $(cat "$PIDFILE"), waiting for $HOST:$PORT ..."
  wait_ready
  log "ready: KAFKA_BROKERS=$HOST:$PORT (Kafka $KAFKA_VERSION)"
}

cmd_stop() {
  if ! is_running; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then log "pid $pid still alive after 30s, sending KILL"; kill -KILL "$pid" || true; fi
  rm -f "$PIDFILE"
  log "stopped"
}

case "${1:-}" in
  fetch)   cmd_fetch ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status)  if is_running; then echo "running pid $(cat "$PIDFILE") on $HOST:$PORT"; else echo "stopped"; exit 1; fi ;;
  env)     echo "export KAFKA_BROKERS=$HOST:$PORT" ;;
  logs)    tail -n "${2:-200}" "$LOGS/server.out" ;;
  *)       echo "usage: bash $0 {fetch|start|stop|restart|status|env|logs [n]}" >&2; exit 2 ;;
esac
