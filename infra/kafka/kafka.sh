#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft) broker on 127.0.0.1, from Maven Central's jars.
#   kafka.sh fetch | start | stop | restart | status | reset
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), TALLY_KAFKA_HOME (jar cache,
# ~/.cache/tally/kafka-3.9.1), TALLY_KAFKA_DATA (log dirs, <home>/data-<port>).
set -euo pipefail

VERSION=3.9.1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
home=${TALLY_KAFKA_HOME:-$HOME/.cache/tally/kafka-$VERSION}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
data=${TALLY_KAFKA_DATA:-$home/data-$port}
pidfile=$data/broker.pid
logfile=$data/broker.log

say() { echo "kafka: $*"; }
die() { echo "kafka: $*" >&2; exit 1; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

java_cp() {
  java -cp "$home/libs/*" -Dlog4j.configuration="file:$here/log4j.properties" "$@"
}

fetch() {
  if [ -f "$home/libs/.complete" ]; then return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the broker jars"
  command -v java >/dev/null || die "Java 17 is needed to run the broker"
  mkdir -p "$home"
  say "fetching Apache Kafka $VERSION jars from Maven Central into $home/libs"
  local started=$SECONDS tmp
  tmp=$(mktemp -d "$home/libs.XXXXXX")
  if ! mvn -B -q -f "$here/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$home/fetch.log" 2>&1; then
    tail -n 30 "$home/fetch.log" >&2
    rm -rf "$tmp"
    die "fetching the broker jars failed (full log: $home/fetch.log)"
  fi
  rm -rf "$home/libs"
  mv "$tmp" "$home/libs"
  touch "$home/libs/.complete"
  say "fetched $(ls "$home/libs" | wc -l) jars in $((SECONDS - started)) s"
}

write_config() {
  mkdir -p "$data/logs"
  cat >"$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/logs
num.partitions=12
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  if [ ! -f "$data/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java_cp kafka.tools.StorageTool random-uuid)
    java_cp kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" --ignore-formatted >/dev/null
  fi
}

start() {
  if answers; then
    say "a broker already answers on 127.0.0.1:$port; using it"
    echo "KAFKA_BROKERS=127.0.0.1:$port"
    return
  fi
  fetch
  write_config
  say "starting the broker on 127.0.0.1:$port (data in $data)"
  local started=$SECONDS
  : >"$logfile"
  KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
  # shellcheck disable=SC2086
  setsid nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -cp "$home/libs/*" \
    -Dlog4j.configuration="file:$here/log4j.properties" \
    kafka.Kafka "$data/server.properties" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 180); do
    if grep -q "Kafka Server started" "$logfile" && answers; then
      say "broker up in $((SECONDS - started)) s (pid $(cat "$pidfile"), log $logfile)"
      echo "KAFKA_BROKERS=127.0.0.1:$port"
      return
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -n 30 "$logfile" >&2
      die "the broker exited during start (log: $logfile)"
    fi
    sleep 0.5
  done
  tail -n 30 "$logfile" >&2
  die "the broker did not answer within 90 s (log: $logfile)"
}

stop() {
  if [ ! -f "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "no broker started by this script is running on port $port"
    rm -f "$pidfile"
    return
  fi
  local pid
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "killed (did not stop within 30 s)"
}

status() {
  if answers; then say "answers on 127.0.0.1:$port"; else say "nothing answers on 127.0.0.1:$port"; return 1; fi
}

case "${1:-start}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$data"; say "removed $data" ;;
  *) die "usage: kafka.sh fetch|start|stop|restart|status|reset" ;;
esac
