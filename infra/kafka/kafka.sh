#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft) broker on 127.0.0.1, from Maven Central's jars (no Docker).
#   kafka.sh fetch | start | stop | restart | status | reset      (default: start)
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), TALLY_KAFKA_HOME (jar cache,
# ~/.cache/tally/kafka-3.9.1), TALLY_KAFKA_DATA (<home>/data-<port>), KAFKA_HEAP_OPTS
# (-Xms256m -Xmx768m), KAFKA_START_TIMEOUT (seconds, 180); KAFKA_SASL=1 for secure mode
# (SASL/SCRAM-SHA-512 and the ACLs of acls.txt; KAFKA_SASL_USERS, KAFKA_SASL_PASSWORD_<USER>).
# See README.md.
set -euo pipefail

VERSION=3.9.1
here=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
home=${TALLY_KAFKA_HOME:-$HOME/.cache/tally/kafka-$VERSION}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
data=${TALLY_KAFKA_DATA:-$home/data-$port}
home=$(realpath -m "$home") data=$(realpath -m "$data") # the broker must not depend on the cwd
timeout=${KAFKA_START_TIMEOUT:-180}
libs=$home/libs
pidfile=$data/broker.pid
logfile=$data/broker.log
config=$data/server.properties
# Secure mode: clients authenticate (SASL/SCRAM-SHA-512) and the ACLs of acls.txt decide.
secure=${KAFKA_SASL:-0}
users=${KAFKA_SASL_USERS:-admin gateway metering ledger topup alerting}
credentials=$data/sasl-users.env
broker_client=$data/broker-client.properties

say() { echo "kafka: $*"; }
die() { echo "kafka: ERROR: $*" >&2; exit 1; }
tail_of() {
  echo "----- last lines of $1 -----" >&2
  tail -n "${2:-40}" "$1" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true # no colour codes
  echo "-----" >&2
}
# The ERROR/FATAL lines and "Caused by" root causes of a log (its stack traces are long).
errors_of() {
  local found
  found=$(grep -E '^\[[^]]*\] (ERROR|FATAL)|^Caused by' "$1" | tail -n 10) || return 0
  printf -- '----- errors in %s -----\n%s\n-----\n' "$1" "$found" >&2
}
# Does anything accept TCP connections on 127.0.0.1:$1?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Does anything accept TCP connections on the broker port?
answers() { port_open "$port"; }

java_cp() { java -cp "$libs/*" -Dlog4j.configuration="file:$here/log4j.properties" "$@"; }

# The pid of the broker this script started for $data, if it is still that broker.
broker_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # guard against a recycled pid: it must be kafka.Kafka running our server.properties
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $config" || return 1
  echo "$pid"
}

# Serialize fetch/start/stop across concurrent callers (fd 9; never inherited by the broker).
lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  flock -w 300 9 || die "could not lock $1 within 300 s"
}
unlock() { exec 9>&-; }

fetch() {
  [ -f "$libs/.complete" ] && return 0
  command -v java >/dev/null || die "java (17) is not on PATH; the broker needs it"
  command -v mvn >/dev/null || die "mvn (Maven) is not on PATH; it fetches the broker jars"
  lock "$home/.fetch.lock"
  if [ -f "$libs/.complete" ]; then unlock; return 0; fi # someone else fetched meanwhile
  say "fetching Apache Kafka $VERSION jars from Maven Central into $libs"
  local started=$SECONDS tmp
  tmp=$(mktemp -d "$home/.libs.XXXXXX")
  if ! mvn -B -q -Dstyle.color=never -f "$here/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$home/fetch.log" 2>&1; then
    rm -rf "$tmp"
    tail_of "$home/fetch.log" 30
    die "mvn could not fetch the broker jars (full output: $home/fetch.log)"
  fi
  ls "$tmp"/kafka_2.13-"$VERSION".jar "$tmp"/reload4j-*.jar >/dev/null 2>&1 ||
    { rm -rf "$tmp"; die "mvn succeeded but $tmp lacks kafka_2.13-$VERSION.jar or reload4j"; }
  chmod 755 "$tmp"
  touch "$tmp/.complete"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  unlock
  say "fetched $(ls "$libs" | wc -l) jars in $((SECONDS - started)) s"
}

# A password fit for JAAS and for kafka-storage's --add-scram: letters and digits.
new_password() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

# Secure mode's passwords, chosen once per data directory (KAFKA_SASL_PASSWORD_<USER> or
# random) and kept in $credentials (mode 600), which services and tests read.
ensure_credentials() {
  [ -f "$credentials" ] && return 0
  local user var password
  umask 077
  {
    echo "# SASL/SCRAM-SHA-512 passwords of this broker's principals (infra/kafka/kafka.sh)"
    echo "KAFKA_SASL_PASSWORD_BROKER=${KAFKA_SASL_PASSWORD_BROKER:-$(new_password)}"
    for user in $users; do
      [[ $user =~ ^[a-z][a-z0-9-]*$ ]] || die "KAFKA_SASL_USERS: '$user' is not a principal name"
      var=KAFKA_SASL_PASSWORD_$(echo "$user" | tr 'a-z-' 'A-Z_')
      password=${!var:-$(new_password)}
      [[ $password =~ ^[A-Za-z0-9._~-]{8,}$ ]] || die "$var: 8 or more of A-Z a-z 0-9 . _ ~ -"
      echo "$var=$password"
    done
  } >"$credentials.tmp"
  mv "$credentials.tmp" "$credentials"
}

# The password of principal $1 from $credentials.
password_of() {
  local var
  var=KAFKA_SASL_PASSWORD_$(echo "$1" | tr 'a-z-' 'A-Z_')
  grep -E "^$var=" "$credentials" | head -n 1 | cut -d= -f2-
}

listener_config() {
  if [ "$secure" != 1 ]; then
    cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
PROPS
    return 0
  fi
  local broker_password
  broker_password=$(password_of broker)
  # Clients: SCRAM-SHA-512 (credentials live in the KRaft metadata, added at format time).
  # The controller listener cannot use SCRAM (the controller would need its own metadata to
  # authenticate), so the broker reaches its controller with PLAIN and a JAAS user.
  cat <<PROPS
listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=SASL_PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_password";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$broker_password" user_broker="$broker_password";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:broker
allow.everyone.if.no.acl.found=false
PROPS
}

# A data directory is formatted for one mode; SCRAM users exist only if formatted secure.
check_mode() {
  local formatted
  [ -f "$data/logs/meta.properties" ] || return 0
  formatted=$(cat "$data/mode" 2>/dev/null || echo plaintext)
  local wanted=plaintext
  [ "$secure" = 1 ] && wanted=sasl
  [ "$formatted" = "$wanted" ] ||
    die "$data was formatted for $formatted mode, not $wanted; use another TALLY_KAFKA_DATA (or 'reset')"
}

write_config() {
  mkdir -p "$data/logs"
  chmod 700 "$data"
  check_mode
  [ "$secure" = 1 ] && ensure_credentials
  ( umask 077
    cat >"$config.tmp" <<PROPS
# written by infra/kafka/kafka.sh on every start; edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
$(listener_config)
log.dirs=$data/logs
num.partitions=12
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  )
  mv "$config.tmp" "$config"
  [ -f "$data/logs/meta.properties" ] && return 0
  say "formatting KRaft storage in $data/logs"
  local cluster_id user scram=()
  if ! cluster_id=$(java_cp kafka.tools.StorageTool random-uuid 2>"$data/format.log"); then
    tail_of "$data/format.log"; die "kafka.tools.StorageTool random-uuid failed"
  fi
  if [ "$secure" = 1 ]; then
    for user in broker $users; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(password_of "$user")]")
    done
  fi
  if ! java_cp kafka.tools.StorageTool format -t "$cluster_id" -c "$config" --ignore-formatted \
      "${scram[@]}" >>"$data/format.log" 2>&1; then
    tail_of "$data/format.log"; die "kafka.tools.StorageTool format failed (log: $data/format.log)"
  fi
  if [ "$secure" = 1 ]; then echo sasl >"$data/mode"; else echo plaintext >"$data/mode"; fi
}

# Secure mode: the ACLs of acls.txt, added as the broker's super user (adding an ACL that
# exists changes nothing; one no longer in the file stays until removed with kafka-acls).
apply_acls() {
  [ "$secure" = 1 ] || return 0
  ( umask 077
    cat >"$broker_client" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(password_of broker)";
PROPS
  )
  local started=$SECONDS
  if ! java_cp "$here/AclBatch.java" "127.0.0.1:$port" "$broker_client" "$here/acls.txt" \
      >"$data/acls.log" 2>&1; then
    tail_of "$data/acls.log" 20
    die "the ACLs of $here/acls.txt could not be applied (log: $data/acls.log)"
  fi
  say "secure mode: SASL/SCRAM-SHA-512, ACLs of acls.txt applied in $((SECONDS - started)) s; passwords in $credentials"
}

# A broker that was killed (not stopped) first recovers every partition's log. Measured here:
# 9,325 partitions started in 19 s after a clean stop, and in more than 90 s after a SIGKILL.
warn_if_unclean() {
  [ -f "$data/logs/meta.properties" ] && [ ! -e "$data/logs/.kafka_cleanshutdown" ] || return 0
  say "the last broker for $data was not stopped cleanly: it recovers the logs of its" \
    "$(find "$data/logs" -mindepth 1 -maxdepth 1 -type d | wc -l) partitions first ('reset' discards them)"
}

# Wait until the broker $1 logged that it started and its port answers.
wait_up() {
  local pid=$1 started=$2 deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    if grep -q "Kafka Server started" "$logfile" 2>/dev/null && answers; then
      say "broker up in $((SECONDS - started)) s (pid $pid, log $logfile)"
      apply_acls
      echo "KAFKA_BROKERS=127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      tail_of "$logfile" 25
      errors_of "$logfile"
      die "the broker (pid $pid) exited during start (log: $logfile)"
    fi
    sleep 0.5
  done
  tail_of "$logfile" 25
  errors_of "$logfile"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  die "the broker did not answer on 127.0.0.1:$port within $timeout s; killed it (log: $logfile)"
}

start() {
  local pid
  # our broker opened its port but has not finished starting (another caller is starting it)
  if answers && pid=$(broker_pid) && ! grep -q "Kafka Server started" "$logfile" 2>/dev/null; then
    say "the broker (pid $pid) is still starting; waiting for it"
    wait_up "$pid" "$SECONDS"
    return 0
  fi
  if answers; then
    say "something already answers on 127.0.0.1:$port; reusing it"
    echo "KAFKA_BROKERS=127.0.0.1:$port"
    return 0
  fi
  fetch
  lock "$data/.start.lock"
  local started=$SECONDS
  if answers; then # another caller started it while we waited for the lock
    say "a broker came up on 127.0.0.1:$port meanwhile; reusing it"
    echo "KAFKA_BROKERS=127.0.0.1:$port"
    return 0
  fi
  if pid=$(broker_pid); then # ours, alive, but not answering yet: still starting
    say "the broker (pid $pid) is still starting; waiting for it"
    wait_up "$pid" "$started"
    return 0
  fi
  if port_open "$controller_port"; then
    die "something else already listens on 127.0.0.1:$controller_port (the controller port); set KAFKA_CONTROLLER_PORT"
  fi
  warn_if_unclean
  write_config
  say "starting the broker on 127.0.0.1:$port (controller $controller_port, data $data)"
  : >"$logfile"
  rm -f "$pidfile"
  local heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
  # own session (setsid) so it outlives the calling shell; bash records its own pid, then
  # becomes java (exec), so the pid file holds the broker's pid; fd 9 (the lock) closed.
  # shellcheck disable=SC2086,SC2016
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
    java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -cp "$libs/*" -Dlog4j.configuration="file:$here/log4j.properties" \
    kafka.Kafka "$config" >>"$logfile" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
  pid=$(cat "$pidfile" 2>/dev/null) || die "the broker did not record its pid in $pidfile"
  wait_up "$pid" "$started"
}

stop() {
  [ -d "$data" ] || { say "no broker running for $data (no such directory)"; return 0; }
  lock "$data/.start.lock"
  local pid
  if ! pid=$(broker_pid); then
    rm -f "$pidfile"
    if answers; then
      say "something answers on 127.0.0.1:$port but this script did not start it (no live pid in $pidfile); left alone"
    else
      say "no broker running for $data"
    fi
    return 0
  fi
  say "stopping the broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local started=$SECONDS
  while [ $((SECONDS - started)) -lt 30 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      say "stopped in $((SECONDS - started)) s"
      return 0
    fi
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  rm -f "$pidfile"
  say "did not stop within 30 s of SIGTERM; killed it (SIGKILL)"
}

status() {
  local pid="" whose
  pid=$(broker_pid) || true
  if answers; then
    if [ -n "$pid" ]; then whose="pid $pid, data $data"; else whose="not started by this script for $data"; fi
    say "answers on 127.0.0.1:$port ($whose)"
    echo "KAFKA_BROKERS=127.0.0.1:$port"
  elif [ -n "$pid" ]; then
    say "nothing answers on 127.0.0.1:$port, but its broker (pid $pid) is alive: starting or hung (log: $logfile)"
    return 1
  else
    say "nothing answers on 127.0.0.1:$port"
    return 1
  fi
}

reset() {
  stop
  if broker_pid >/dev/null; then die "the broker for $data is still running; not deleting"; fi
  rm -rf "$data"
  say "removed $data"
}

case "${1:-start}" in
  fetch) fetch; say "jars in $libs" ;;
  credentials) [ -f "$credentials" ] || die "no $credentials: start with KAFKA_SASL=1 first"; echo "$credentials" ;;
  start) start ;;
  stop) stop ;;
  restart) stop; unlock; start ;;
  status) status ;;
  reset) reset ;;
  -h | --help | help) sed -n '2,6p' "$0" ;;
  *) die "unknown command '$1'; usage: kafka.sh fetch|start|stop|restart|status|reset|credentials" ;;
esac
