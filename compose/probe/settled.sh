#!/bin/sh
# Every service's health probe goes through here:  settled.sh PAUSE COMMAND [ARG ...]
#
# The first time COMMAND succeeds in a container's life, a mark is left; every later probe first
# sleeps PAUSE seconds. So a (re)started service is found healthy at the compose interval (1-2 s),
# and a settled one is probed every ~PAUSE s: Docker 20.10 (these machines' engine) has no
# start_interval, and each probe is an exec (dockerd, containerd, runc) costing ~0.1 CPU-s.
# Docker starts the next probe an interval after the last one ended, and keeps the last result
# while a probe runs, so the sleep costs nothing but a sleeping process. The mark is keyed on the
# start time of the container's PID 1: a restarted container probes quickly again.
# ARENA_PROBE_MARKS names another directory for the marks (tests/compose/test_settled_probe.py).
set -u
pause=$1
shift
mark=${ARENA_PROBE_MARKS:-/tmp}/.arena-settled-$(cut -d' ' -f22 /proc/1/stat)
[ ! -e "$mark" ] || sleep "$pause"
"$@" || exit 1
: >"$mark"
