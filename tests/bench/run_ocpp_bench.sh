#!/usr/bin/env bash
# The OCPP central-system benchmark of docs/benchmarks.md: Ampwise (ampwised), a central system on
# the PyPI `ocpp` package (websockets), one on the npm `ocpp-rpc` package in strict mode, and a bare
# tokio-tungstenite server that answers without parsing (the floor), each measured by
# ampwise-loadgen in the same run. Not part of CI: run it by hand.
#
#   bash tests/bench/run_ocpp_bench.sh                      # everything, a few minutes
#   SERVERS=ampwise,echo COUNT_CPU=200 COUNT_MEM=500 DURATION=3 bash tests/bench/run_ocpp_bench.sh
#
# Settings (environment): SERVERS (ampwise,python,node,echo), COUNT_CPU (1000: closed loop and
# fixed rate), COUNT_MEM (5000: connect time and memory), DURATION (10 s per measured phase), RATE
# (2000 msg/s), HOLD (5 s), MIX (heartbeat,status,meter), RUNS (cpu,memory,traffic), BASE_PORT
# (19540), OUT (results folder), AMPWISED (the ampwised binary to measure: another build, e.g. an older
# commit's, to compare; default: the one this script builds).
#
# Each server runs pinned to core 0 and the generator to core 1 (taskset), on loopback only. Every
# server is started fresh for each of three runs:
#   cpu     COUNT_CPU charge points: connect, closed loop, fixed rate (CPU/msg, msg/s, latency)
#   memory  COUNT_MEM charge points: connect, hold idle (connect time, memory per connection)
#   traffic COUNT_MEM charge points: connect, closed loop, hold (memory once messages have flowed)
# The generator reads the server's CPU time (utime+stime of /proc/PID/stat) and resident memory
# (VmRSS of /proc/PID/status) at the edges of each phase itself (--server-pid), so the numbers cover
# exactly the measured phase. It also reports what other processes used meanwhile: the machine is
# shared, so each run waits until the machine is quiet and is repeated (up to RETRIES times) when
# other processes disturbed it. Results: $OUT/<server>-<run>.json and $OUT/summary.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bench=$repo/tests/bench

SERVERS=${SERVERS:-ampwise,python,node,echo}
COUNT_CPU=${COUNT_CPU:-1000}
COUNT_MEM=${COUNT_MEM:-5000}
DURATION=${DURATION:-10}
RATE=${RATE:-2000}
HOLD=${HOLD:-5}
MIX=${MIX:-heartbeat,status,meter}
BASE_PORT=${BASE_PORT:-19540}
RUNS=${RUNS:-cpu,memory,traffic}
OUT=${OUT:-$repo/target/bench/ocpp-$(date -u +%Y%m%dT%H%M%SZ)}
AMPWISED=${AMPWISED:-$repo/target/release/ampwised}
SERVER_CORE=0
GENERATOR_CORE=1
# How long a server may take to listen, and to stop after SIGTERM.
START_TIMEOUT_S=60
STOP_TIMEOUT_S=15
# Quiet: other processes use at most this much of one core; wait at most this long for it.
QUIET_PERCENT=${QUIET_PERCENT:-10}
QUIET_WAIT_S=${QUIET_WAIT_S:-300}
RETRIES=${RETRIES:-2}
CLK_TCK=$(getconf CLK_TCK)

say() { printf '\n== %s\n' "$*" >&2; }
die() { echo "run_ocpp_bench.sh: $*" >&2; exit 1; }

check_machine() {
  [ -x "$AMPWISED" ] || [[ ,$SERVERS, != *,ampwise,* ]] || [ "$AMPWISED" = "$repo/target/release/ampwised" ] ||
    die "AMPWISED=$AMPWISED is not an executable"
  command -v taskset >/dev/null || die "taskset is missing (Debian package util-linux)"
  [ "$(nproc)" -ge 2 ] || die "needs 2 cores: the server and the generator each get one"
  [ -r /proc/self/stat ] || die "needs Linux /proc to read CPU time and memory"
  # 2 sockets per charge point on loopback (ours and the server's), plus a margin.
  local wanted=$((2 * COUNT_MEM + 1024)) hard
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$wanted" ]; then
    die "the hard open-files limit ($hard) is below $wanted; raise it (e.g. /etc/security/limits.conf)"
  fi
  ulimit -n "$wanted"
}

build() {
  say "building release binaries"
  cargo build --release --quiet -p ampwise-core --bin ampwised \
    -p ampwise-sim --bin ampwise-loadgen --bin ampwise-bench-echo
}

install_peers() {
  local stamp wanted
  if [[ ,$SERVERS, == *,python,* ]]; then
    stamp=$bench/python/.venv/.ampwise-installed
    wanted=$(sha256sum "$bench/python/requirements.txt")
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
      say "installing the Python central system's packages"
      python3 -m venv "$bench/python/.venv"
      "$bench/python/.venv/bin/pip" install --quiet --disable-pip-version-check \
        -r "$bench/python/requirements.txt"
      echo "$wanted" >"$stamp"
    fi
  fi
  if [[ ,$SERVERS, == *,node,* ]]; then
    stamp=$bench/node/node_modules/.ampwise-installed
    wanted=$(cat "$bench/node/package.json" "$bench/node/package-lock.json" | sha256sum)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
      say "installing the Node central system's packages"
      npm --prefix "$bench/node" ci --no-audit --no-fund --loglevel=error
      echo "$wanted" >"$stamp"
    fi
  fi
}

port_of() {
  case $1 in
    ampwise) echo "$BASE_PORT" ;;
    python) echo $((BASE_PORT + 1)) ;;
    node) echo $((BASE_PORT + 2)) ;;
    echo) echo $((BASE_PORT + 3)) ;;
    *) die "unknown server '$1' in SERVERS (known: ampwise, python, node, echo)" ;;
  esac
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

server_pid=
start_server() { # name port → sets server_pid
  local name=$1 port=$2 log=$OUT/$1-server.log
  listening "$port" && die "port $port is taken; set BASE_PORT"
  case $name in
    ampwise)
      local home
      home=$(mktemp -d "$OUT/ampwised-XXXXXX")
      cat >"$home/config.toml" <<EOF
schema_version = 1

[logging]
level = "warn"

[ocpp_server]
port = $port
accept_unknown_charge_points = true
EOF
      taskset -c "$SERVER_CORE" "$AMPWISED" --config "$home/config.toml" \
        --data-dir "$home/data" --secrets-file "$home/secrets.json" >>"$log" 2>&1 &
      ;;
    python)
      taskset -c "$SERVER_CORE" "$bench/python/.venv/bin/python" \
        "$bench/python/central_system.py" --port "$port" >>"$log" 2>&1 &
      ;;
    node)
      taskset -c "$SERVER_CORE" node "$bench/node/central_system.js" --port "$port" >>"$log" 2>&1 &
      ;;
    echo)
      taskset -c "$SERVER_CORE" "$repo/target/release/ampwise-bench-echo" --port "$port" \
        >>"$log" 2>&1 &
      ;;
  esac
  server_pid=$! # taskset execs the server, so this is the server's own PID
  local waited=0
  until listening "$port"; do
    kill -0 "$server_pid" 2>/dev/null || die "$name exited before listening; see $log"
    [ "$waited" -lt $((START_TIMEOUT_S * 10)) ] || die "$name did not listen on $port within ${START_TIMEOUT_S}s"
    sleep 0.1
    waited=$((waited + 1))
  done
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$server_pid" 2>/dev/null && [ "$waited" -lt $((STOP_TIMEOUT_S * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
trap stop_server EXIT

busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

wait_for_quiet() {
  local waited=0 before after share
  while :; do
    before=$(busy_ticks)
    sleep 2
    after=$(busy_ticks)
    share=$(((after - before) * 100 / (2 * CLK_TCK)))
    [ "$share" -gt "$QUIET_PERCENT" ] || return 0
    if [ "$waited" -ge "$QUIET_WAIT_S" ]; then
      echo "warning: other processes still use $share% of a core; measuring anyway" >&2
      return 0
    fi
    [ "$waited" -gt 0 ] || echo "waiting for the machine to be quiet (others use $share% of a core)" >&2
    waited=$((waited + 2))
  done
}

url_of() {
  case $1 in
    ampwise) echo "ws://127.0.0.1:$2/ocpp" ;;
    *) echo "ws://127.0.0.1:$2/ocpp16" ;;
  esac
}

measure() { # server run count phases
  local name=$1 run=$2 count=$3 phases=$4 attempt
  for attempt in $(seq 0 "$RETRIES"); do
    [ "$attempt" -eq 0 ] || say "$name: $run was disturbed by other processes; again ($attempt of $RETRIES)"
    measure_once "$name" "$run" "$count" "$phases"
    grep -q 'its numbers are disturbed' "$OUT/$name-$run.json" 2>/dev/null || return 0
  done
}

measure_once() {
  local name=$1 run=$2 count=$3 phases=$4 port
  port=$(port_of "$name")
  say "$name: $run ($count charge points: $phases)"
  wait_for_quiet
  start_server "$name" "$port"
  # Let the server finish starting (imports, JIT, database) before its memory is read.
  sleep 1
  local status=0
  taskset -c "$GENERATOR_CORE" "$repo/target/release/ampwise-loadgen" \
    --url "$(url_of "$name" "$port")" --count "$count" --phases "$phases" \
    --duration "$DURATION" --rate "$RATE" --hold "$HOLD" --mix "$MIX" \
    --server-pid "$server_pid" --clock-ticks "$CLK_TCK" \
    --json "$OUT/$name-$run.json" || status=$?
  stop_server
  [ "$status" -eq 0 ] || echo "ampwise-loadgen exited with $status for $name $run" >&2
}

describe_machine() {
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(grep MemTotal /proc/meminfo | awk '{print $2 " kB"}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version)"
    echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [[ ,$SERVERS, == *,python,* ]]; then
      echo "python: $("$bench/python/.venv/bin/python" --version 2>&1)," \
        "$("$bench/python/.venv/bin/pip" list --disable-pip-version-check 2>/dev/null |
          awk '$1=="ocpp"||$1=="websockets"{printf "%s %s ", $1, $2}')"
    fi
    if [[ ,$SERVERS, == *,node,* ]]; then
      echo "node: $(node --version), ocpp-rpc $(node -p "require('$bench/node/node_modules/ocpp-rpc/package.json').version")"
    fi
    echo "settings: COUNT_CPU=$COUNT_CPU COUNT_MEM=$COUNT_MEM DURATION=$DURATION RATE=$RATE HOLD=$HOLD MIX=$MIX"
    echo "ampwised: $AMPWISED"
  } >"$OUT/machine.txt"
}

main() {
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  check_machine
  build
  install_peers
  describe_machine
  local name
  IFS=, read -r -a servers <<<"$SERVERS"
  for name in "${servers[@]}"; do port_of "$name" >/dev/null; done
  for name in "${servers[@]}"; do
    [[ ,$RUNS, != *,cpu,* ]] || measure "$name" cpu "$COUNT_CPU" connect,closed,rate
    [[ ,$RUNS, != *,memory,* ]] || measure "$name" memory "$COUNT_MEM" connect,hold
    [[ ,$RUNS, != *,traffic,* ]] || measure "$name" traffic "$COUNT_MEM" connect,closed,hold
  done
  python3 "$bench/summarize.py" "$OUT" >"$OUT/summary.md"
  cat "$OUT/summary.md"
  say "results in $OUT"
}

main "$@"
