#!/bin/sh
# Every service's health probe goes through here:  settled.sh PAUSE RETRY COMMAND [ARG ...]
#
# Until COMMAND first succeeds in a container's life, one probe tries it every RETRY seconds for
# up to WAIT_S (12 s, inside the compose timeout of 20 s), and succeeds the moment it does. Then a
# mark is left, and every later probe first sleeps PAUSE seconds and tries once. So a (re)started
# service is found healthy within RETRY of answering, by one exec; a settled one is probed every
# ~PAUSE s. Docker 20.10 (these machines' engine) has no start_interval, and each probe is an exec
# (dockerd, containerd, runc) costing ~0.1 CPU-s: probing every second cost an exec a second while
# a service started, and up to a second more of waiting, at each start and restart.
# Docker starts the next probe an interval after the last one ended, and keeps the last result
# while a probe runs, so the sleep costs nothing but a sleeping process. The mark is keyed on the
# start time of the container's PID 1: a restarted container probes quickly again.
# ARENA_PROBE_MARKS names another directory for the marks (tests/compose/test_settled_probe.py).
set -u
pause=$1
retry=$2
shift 2
WAIT_S=${ARENA_PROBE_WAIT_S:-12}
mark=${ARENA_PROBE_MARKS:-/tmp}/.arena-settled-$(cut -d' ' -f22 /proc/1/stat)
if [ -e "$mark" ]; then
  sleep "$pause"
  "$@" || exit 1
  exit 0
fi
read -r now _ </proc/uptime
end=$(( ${now%.*} + WAIT_S ))
until "$@"; do
  read -r now _ </proc/uptime
  [ "${now%.*}" -lt "$end" ] || exit 1
  sleep "$retry"
done
: >"$mark"
