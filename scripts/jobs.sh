# Background jobs for scripts/setup.sh and scripts/images.sh (sourced; the caller defines `die`).
# A job is a function run in the background; its own lines say what it does, and on a failure it
# prints its output itself. `await` returns when the named job has finished (or all have); the
# first failure stops the other jobs and dies.
declare -A JOB_PID=()   # name -> pid, while running
declare -A JOB_NAME=()  # pid -> name

start_job() {
  local name="$1"; shift
  "$@" </dev/null &
  JOB_PID[$name]=$!; JOB_NAME[$!]=$name
}

await() {
  local want="${1:-}" pid status name
  while [ "${#JOB_PID[@]}" -gt 0 ]; do
    [ -z "$want" ] || [ -n "${JOB_PID[$want]:-}" ] || return 0
    pid=""; status=0
    wait -n -p pid "${JOB_PID[@]}" || status=$?
    [ -n "$pid" ] || continue
    name="${JOB_NAME[$pid]}"; unset "JOB_PID[$name]"
    [ "$status" = 0 ] || { stop_jobs; die "$name failed (exit $status; its output is above)"; }
  done
}

# Stop the running jobs and everything they started (docker build, debootstrap, go build, pip).
stop_jobs() {
  local pid
  for pid in "${JOB_PID[@]}"; do kill_tree "$pid"; done
  JOB_PID=()
}

kill_tree() {
  local children; children="$(ps -o pid= --ppid "$1" 2>/dev/null || true)"
  kill "$1" 2>/dev/null || true
  local child; for child in $children; do kill_tree "$child"; done
}
