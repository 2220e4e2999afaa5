# Shared by the bench/ driver scripts (source it): build the jars, start and stop Parley nodes
# as separate JVMs pinned to CPUs, wait for /health, sample the machine's load, clean Redis.
# Everything here runs on loopback, and every wait is bounded.
#
# Settings (environment, all optional):
#   PARLEY_JAR           the node jar (default: bridge/target/parley.jar)
#   BENCH_JAR            the load generator jar (default: bench/target/parley-bench.jar)
#   NODE_CPUS            taskset CPU list for the nodes (default 0)
#   GENERATOR_CPUS       taskset CPU list for the load generator (default 1)
#   PARLEY_JVM_OPTIONS   the java argument file each node runs with (default conf/jvm.options, as
#                        bin/run uses it, or the worktree's after bench_head_jar; /dev/null for none)
#   NODE_JAVA_OPTS       more JVM options for each node (default none)
#   GENERATOR_JAVA_OPTS  JVM options for the generator (default none)
#   BENCH_NOFILE         open-files limit wanted for nodes and generator (default 65536; capped
#                        at the hard limit when the kernel refuses to raise it)
#   REDIS_HOST/REDIS_PORT  (default 127.0.0.1 / 6379)
# Inherited PARLEY_* variables reach the nodes, so any node setting can be changed per run.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
PARLEY_JAR=${PARLEY_JAR:-$ROOT/bridge/target/parley.jar}
BENCH_JVM_OPTIONS_GIVEN=${PARLEY_JVM_OPTIONS:-}
PARLEY_JVM_OPTIONS=${PARLEY_JVM_OPTIONS:-$ROOT/conf/jvm.options}
BENCH_JAR=${BENCH_JAR:-$BENCH_DIR/target/parley-bench.jar}
NODE_CPUS=${NODE_CPUS:-0}
GENERATOR_CPUS=${GENERATOR_CPUS:-1}
BENCH_NOFILE=${BENCH_NOFILE:-65536}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

BENCH_NODE_PIDS=()
BENCH_NODE_NAMES=()
BENCH_NODE_PORTS=()
BENCH_WATCH_PIDS=()
BENCH_WATCH_NAMES=()
BENCH_SAMPLER_PID=
BENCH_REDIS_PREFIX=

bench_log() { echo "bench: $*" >&2; }
bench_die() { echo "bench: $*" >&2; exit 1; }

# A run's id and directory (bench/target/runs/<name>-<id>) for logs and results.
bench_init() {
  local name=$1
  BENCH_RUN_ID="$(date +%Y%m%d-%H%M%S)-$$"
  BENCH_RUN_DIR="$BENCH_DIR/target/runs/$name-$BENCH_RUN_ID"
  mkdir -p "$BENCH_RUN_DIR"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Builds what is missing: the node jar with the whole build at the root (which builds the
# generator too), the generator alone otherwise. BENCH_REBUILD=1 rebuilds both.
bench_build() {
  if [[ ! -f $PARLEY_JAR || ${BENCH_REBUILD:-0} == 1 ]]; then
    [[ $PARLEY_JAR == "$ROOT/bridge/target/parley.jar" ]] || bench_die "PARLEY_JAR=$PARLEY_JAR does not exist"
    bench_log "building the node and generator jars (mvn -B -q package -DskipTests)"
    (cd "$ROOT" && mvn -B -q package -DskipTests) || bench_die "the build failed"
  fi
  # rebuilt when a bench source is newer, so an edited generator is never measured stale
  if [[ ! -f $BENCH_JAR || -n $(find "$BENCH_DIR/src" -newer "$BENCH_JAR" -name '*.java' 2>/dev/null | head -n 1) ]]; then
    bench_log "building the generator jar (mvn -B -q -pl bench package)"
    (cd "$ROOT" && mvn -B -q -pl bench package -DskipTests) || bench_die "the generator build failed"
  fi
}

# bench_head_jar WORKTREE: Parley's node jar built from HEAD in a git worktree of its own, so
# uncommitted edits do not leak into the figures; sets PARLEY_JAR and PARLEY_COMMIT (HEAD's
# short id), and PARLEY_JVM_OPTIONS to HEAD's conf/jvm.options unless it was given. The worktree
# follows HEAD and is rebuilt only when HEAD moved. Online, so a machine whose Maven repository is
# still empty can build it.
bench_head_jar() {
  local wt=$1 head
  head=$(git -C "$ROOT" rev-parse HEAD)
  if [[ ! -d $wt ]]; then
    git -C "$ROOT" worktree add --detach "$wt" HEAD >&2
  elif [[ $(git -C "$wt" rev-parse HEAD) != "$head" ]]; then
    git -C "$wt" checkout -q --detach "$head"
    rm -f "$wt/bridge/target/parley.jar"
  fi
  if [[ ! -f $wt/bridge/target/parley.jar ]]; then
    bench_log "building Parley at HEAD ${head:0:7} in $wt"
    (cd "$wt" && mvn -B -q package -DskipTests) >&2 || bench_die "the build in $wt failed"
  fi
  PARLEY_JAR=$wt/bridge/target/parley.jar
  PARLEY_JVM_OPTIONS=${BENCH_JVM_OPTIONS_GIVEN:-$wt/conf/jvm.options}
  PARLEY_COMMIT=${head:0:7}
}

# The open-files limit a child gets: BENCH_NOFILE if the kernel lets us raise the hard limit
# that far, else the current hard limit.
bench_nofile() {
  if prlimit --nofile="$BENCH_NOFILE:$BENCH_NOFILE" true 2>/dev/null; then
    echo "$BENCH_NOFILE"
  else
    ulimit -Hn
  fi
}

# A TCP port nobody listens on, from $1 upwards, not in the list of ports already taken.
bench_free_port() {
  local port=$1; shift
  local taken=" $* "
  local listening
  listening=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ')
  for _ in $(seq 1 500); do
    if [[ " $listening " != *" $port "* && $taken != *" $port "* ]]; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  bench_die "no free port from $1"
}

# bench_node_java GC_LOG: sets BENCH_NODE_JAVA to the command that runs a Parley node's JVM (the
# options file, a GC log, NODE_JAVA_OPTS, the jar); the drivers run it pinned.
bench_node_java() {
  # shellcheck disable=SC2206
  BENCH_NODE_JAVA=(java @"$PARLEY_JVM_OPTIONS" -Xlog:gc:file="$1" ${NODE_JAVA_OPTS:-} -jar "$PARLEY_JAR")
}

# bench_start_node NAME HTTP_PORT [VAR=value ...]: one node, its own JVM, pinned to NODE_CPUS.
bench_start_node() {
  local name=$1 port=$2; shift 2
  local log="$BENCH_RUN_DIR/$name.log"
  local nofile
  nofile=$(bench_nofile)
  bench_node_java "$BENCH_RUN_DIR/$name-gc.log"
  env "$@" PARLEY_HTTP_PORT="$port" PARLEY_HTTP_HOST=127.0.0.1 \
    prlimit --nofile="$nofile:$nofile" taskset -c "$NODE_CPUS" "${BENCH_NODE_JAVA[@]}" >"$log" 2>&1 &
  BENCH_NODE_PIDS+=($!)
  BENCH_NODE_NAMES+=("$name")
  BENCH_NODE_PORTS+=("$port")
  bench_log "started $name (pid $!, http 127.0.0.1:$port, cpus $NODE_CPUS, nofile $nofile), log $log"
}

# Waits (bounded) until every started node answers /health with 200.
bench_wait_healthy() {
  local timeout=${1:-120}
  local deadline=$((SECONDS + timeout))
  local i
  for i in "${!BENCH_NODE_PIDS[@]}"; do
    local pid=${BENCH_NODE_PIDS[$i]} port=${BENCH_NODE_PORTS[$i]} name=${BENCH_NODE_NAMES[$i]}
    until curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "bench: $name exited before it was healthy; the end of its log:" >&2
        tail -n 30 "$BENCH_RUN_DIR/$name.log" >&2
        exit 1
      fi
      if ((SECONDS >= deadline)); then
        echo "bench: $name not healthy after ${timeout} s; the end of its log:" >&2
        tail -n 30 "$BENCH_RUN_DIR/$name.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    bench_log "$name is healthy"
  done
}

# The first lines of the nodes' logs that look like trouble.
bench_node_trouble() {
  local name
  for name in "${BENCH_NODE_NAMES[@]}"; do
    local log="$BENCH_RUN_DIR/$name.log" count
    count=$(grep -cE 'SEVERE|ERROR|WARNING|Exception' "$log" 2>/dev/null || true)
    echo "  $name log: ${count:-0} lines with SEVERE/ERROR/WARNING/Exception ($log)"
    if [[ ${count:-0} -gt 0 ]]; then
      # the distinct kinds, most frequent first (a storm repeats the same warning thousands of times)
      { grep -E 'SEVERE|ERROR|WARNING|Exception' "$log" | cut -c1-200 | sort | uniq -c | sort -rn | head -n 8 \
          | sed 's/^/    /'; } || true
    fi
  done
}

# Which collector each node's JVM chose, and its pauses (from the -Xlog:gc file).
bench_node_gc() {
  local name
  for name in "${BENCH_NODE_NAMES[@]}"; do
    local gc="$BENCH_RUN_DIR/$name-gc.log"
    [[ -s $gc ]] || continue
    awk -v name="$name" '
      /Using / && !using { using = $0; sub(/.*Using /, "", using) }
      / Pause / && /ms$/ { ms = $NF; sub(/ms$/, "", ms); n++; total += ms; if (ms + 0 > max) max = ms + 0
                           heap = $(NF - 1) }
      END { printf "  %s GC: %s, %d pauses, %.1f s paused in total, longest %.0f ms, last heap %s\n",
                   name, using ? using : "?", n, total / 1000, max, heap ? heap : "?" }' "$gc"
  done
}

# The parley_bridge_* lines of each node's /metrics.
bench_node_metrics() {
  local i
  for i in "${!BENCH_NODE_PIDS[@]}"; do
    local port=${BENCH_NODE_PORTS[$i]} name=${BENCH_NODE_NAMES[$i]}
    echo "  $name /metrics:"
    curl -fsS -m 10 "http://127.0.0.1:$port/metrics" 2>/dev/null \
      | grep -E '^parley_bridge_(sockets_open|frames_in_total|frames_out_total|refusals_total|rooms)' \
      | sed 's/^/    /' || echo "    (no answer)"
  done
}

# Stops the nodes this script started (TERM, then KILL after 20 s), by pid.
bench_stop_nodes() {
  local pid
  for pid in "${BENCH_NODE_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_NODE_PIDS[@]}"; do
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      bench_log "pid $pid did not stop in 20 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  BENCH_NODE_PIDS=()
}

bench_redis() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }

# Redis up, via bin/services when it is not.
bench_redis_up() {
  if ! bench_redis ping >/dev/null 2>&1; then
    bench_log "redis is not answering: running bin/services"
    "$ROOT/bin/services" >&2 || bench_die "bin/services failed"
  fi
  bench_redis ping >/dev/null 2>&1 || bench_die "redis is not answering on $REDIS_HOST:$REDIS_PORT"
}

# The Redis server's CPU and memory go into the load samples too (it is part of the system measured).
bench_watch_redis() {
  local pid
  pid=$(bench_redis info server 2>/dev/null | tr -d '\r' | awk -F: '$1 == "process_id" {print $2}')
  if [[ -n $pid && -r /proc/$pid/stat ]]; then
    BENCH_WATCH_PIDS+=("$pid")
    BENCH_WATCH_NAMES+=(redis)
  fi
}

# Deletes the run's keys (prefix set by the caller in BENCH_REDIS_PREFIX), in batches.
bench_redis_cleanup() {
  [[ -n $BENCH_REDIS_PREFIX ]] || return 0
  local before
  before=$(bench_redis --scan --pattern "${BENCH_REDIS_PREFIX}*" | wc -l)
  bench_redis --scan --pattern "${BENCH_REDIS_PREFIX}*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null
  local after
  after=$(bench_redis --scan --pattern "${BENCH_REDIS_PREFIX}*" | wc -l)
  bench_log "deleted $((before - after)) redis keys ${BENCH_REDIS_PREFIX}* ($after left)"
  BENCH_REDIS_PREFIX=
}

# Samples once a second, for at most $1 seconds, into $BENCH_RUN_DIR/load.tsv: each CPU's busy
# %, and CPU % and RSS of each node (and of the pid in $BENCH_GENERATOR_PID_FILE once written).
bench_sampler_start() {
  local max=${1:-900}
  local out="$BENCH_RUN_DIR/load.tsv"
  local pids="${BENCH_NODE_PIDS[*]} ${BENCH_WATCH_PIDS[*]}" names="${BENCH_NODE_NAMES[*]} ${BENCH_WATCH_NAMES[*]}"
  BENCH_GENERATOR_PID_FILE="$BENCH_RUN_DIR/generator.pid"
  (
    tck=$(getconf CLK_TCK)
    declare -A prev_total prev_idle prev_proc
    read_cpus() {
      while read -r cpu user nice system idle iowait irq softirq steal _; do
        [[ $cpu == cpu[0-9]* ]] || continue
        cur_total[$cpu]=$((user + nice + system + idle + iowait + irq + softirq + steal))
        cur_idle[$cpu]=$((idle + iowait))
      done </proc/stat
    }
    proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
    proc_rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
    header="t"
    declare -A cur_total cur_idle
    read_cpus
    for cpu in $(printf '%s\n' "${!cur_total[@]}" | sort -V); do header+="\t${cpu}_busy%"; done
    for n in $names generator; do header+="\t${n}_cpu%\t${n}_rss_mb"; done
    printf '%b\n' "$header" >"$out"
    for cpu in "${!cur_total[@]}"; do prev_total[$cpu]=${cur_total[$cpu]}; prev_idle[$cpu]=${cur_idle[$cpu]}; done
    start=$(date +%s)
    for t in $(seq 1 "$max"); do
      sleep 1
      gen=$(cat "$BENCH_GENERATOR_PID_FILE" 2>/dev/null || true)
      read_cpus
      line="$t"
      for cpu in $(printf '%s\n' "${!cur_total[@]}" | sort -V); do
        dt=$((cur_total[$cpu] - prev_total[$cpu])); di=$((cur_idle[$cpu] - prev_idle[$cpu]))
        ((dt > 0)) && line+="\t$(( (100 * (dt - di)) / dt ))" || line+="\t0"
        prev_total[$cpu]=${cur_total[$cpu]}; prev_idle[$cpu]=${cur_idle[$cpu]}
      done
      for pid in $pids ${gen:-0}; do
        if [[ $pid != 0 ]] && [[ -r /proc/$pid/stat ]]; then
          ticks=$(proc_ticks "$pid")
          last=${prev_proc[$pid]:-$ticks}
          prev_proc[$pid]=$ticks
          line+="\t$(( (100 * (ticks - last)) / tck ))\t$(proc_rss_mb "$pid")"
        else
          line+="\t0\t0"
        fi
      done
      printf '%b\n' "$line" >>"$out"
    done
  ) &
  BENCH_SAMPLER_PID=$!
}

bench_sampler_stop() {
  if [[ -n $BENCH_SAMPLER_PID ]]; then
    kill "$BENCH_SAMPLER_PID" 2>/dev/null || true
    wait "$BENCH_SAMPLER_PID" 2>/dev/null || true
    BENCH_SAMPLER_PID=
  fi
}

# Mean and max of each column of load.tsv over the samples taken while the generator ran.
bench_load_summary() {
  local file="$BENCH_RUN_DIR/load.tsv"
  [[ -s $file ]] || return 0
  awk -F'\t' '
    NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; n = NF; next }
    { gen_col = 0; for (i = 2; i <= n; i++) if (name[i] == "generator_cpu%") gen_col = i }
    gen_col && $gen_col == 0 && $(gen_col + 1) == 0 { next }   # before the generator started / after it ended
    {
      rows++; busy = 0; ours = 0
      for (i = 2; i <= n; i++) {
        sum[i] += $i; if ($i > max[i]) max[i] = $i
        if (name[i] ~ /^cpu[0-9]+_busy%$/) busy += $i
        if (name[i] ~ /_cpu%$/) ours += $i
      }
      other = busy - ours; if (other < 0) other = 0
      other_sum += other; if (other > other_max) other_max = other
    }
    END {
      if (!rows) { print "  (no samples while the generator ran)"; exit }
      printf "  machine load over %d one-second samples while the generator ran (mean / max; %% of one CPU):\n", rows
      for (i = 2; i <= n; i++) printf "    %-22s %6.0f / %6.0f\n", name[i], sum[i] / rows, max[i]
      printf "    %-22s %6.0f / %6.0f\n", "other processes_cpu%", other_sum / rows, other_max
    }' "$file"
}

bench_cleanup() {
  local status=$?
  bench_sampler_stop
  if ((${#BENCH_NODE_PIDS[@]} > 0)); then
    bench_log "stopping nodes"
    bench_stop_nodes
  fi
  bench_redis_cleanup
  exit "$status"
}
