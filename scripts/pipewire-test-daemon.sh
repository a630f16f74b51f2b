#!/usr/bin/env bash
# A real, headless PipeWire daemon with virtual nodes, in a private runtime dir, for tests and benchmarks.
#
#   scripts/pipewire-test-daemon.sh start DIR   start pipewire + nodes; prints `XDG_RUNTIME_DIR=DIR/run` on success
#   scripts/pipewire-test-daemon.sh stop DIR    stop everything it started, by PID (TERM in reverse order, KILL after 3 s)
#   scripts/pipewire-test-daemon.sh restart-daemon DIR   kill pipewire (as a crash would) and start it again with fresh nodes
#   scripts/pipewire-test-daemon.sh kill-daemon DIR      kill only the pipewire process (recovery tests)
#
# Nodes (see shared/reference/pipewire.md for why each property is there):
#   test-sink   Audio/Sink  in: playback_FL playback_FR   out: monitor_FL monitor_FR
#   test-sink-b Audio/Sink  in: playback_FL playback_FR   out: monitor_FL monitor_FR
#   test-tone   Audio/Source (audiotestsrc, live=false)    out: capture_1 capture_2
#   test-video  Video/Source (videotestsrc)                out: out_0
#   midiseq     JACK MIDI out (jack_midiseq via pw-jack)   out: out            (only when pipewire-jack + jackd2 tools exist)
#   midi-monitor JACK MIDI in (jack_midi_dump via pw-jack) in: input
# No session manager runs, so nothing links ports behind the tests' back.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|restart-daemon DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pids="$dir/pids"

export XDG_RUNTIME_DIR="$dir/run" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" HOME="$dir/home"
export PIPEWIRE_LOG_SYSTEMD=false JACK_NO_START_SERVER=1

alive() { # running and not a zombie
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null || true)
  [[ -n "$state" && "$state" != Z* ]]
}

stop_pid() {
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 30); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

wait_for() { # wait_for DESCRIPTION COMMAND... (up to 5 s)
  local what=$1; shift
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "pipewire-test-daemon: timed out waiting for $what" >&2
  return 1
}

has_port() { pw-link "$1" 2>/dev/null | grep -qx "$2"; }

start_daemon() {
  pipewire >"$dir/pipewire.log" 2>&1 &
  echo "pipewire $!" >>"$pids"
  wait_for "the daemon" pw-cli info 0
}

create_nodes() {
  pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=test-sink node.description="Test Sink" media.class=Audio/Sink object.linger=true audio.position=[FL FR] adapter.auto-port-config={ mode=dsp monitor=true position=preserve } }' >/dev/null
  pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=test-sink-b node.description="Test Sink B" media.class=Audio/Sink object.linger=true audio.position=[FL FR] adapter.auto-port-config={ mode=dsp monitor=true position=preserve } }' >/dev/null
  pw-cli create-node adapter '{ factory.name=audiotestsrc library.name=audiotestsrc/libspa-audiotestsrc node.name=test-tone node.description="Test Tone" media.class=Audio/Source object.linger=true audio.position=[FL FR] node.param.Props={ live=false } adapter.auto-port-config={ mode=dsp monitor=false position=preserve } }' >/dev/null
  pw-cli create-node adapter '{ factory.name=videotestsrc library.name=videotestsrc/libspa-videotestsrc node.name=test-video node.description="Test Video" media.class=Video/Source object.linger=true adapter.auto-port-config={ mode=dsp monitor=false position=preserve } }' >/dev/null
  # pw-cli create-node exits 0 even when it failed: confirm by the ports.
  wait_for "test-sink ports" has_port -i test-sink:playback_FR
  wait_for "test-sink-b ports" has_port -i test-sink-b:playback_FR
  wait_for "test-tone ports" has_port -o test-tone:capture_2
  wait_for "test-video ports" has_port -o test-video:out_0
}

start_jack_clients() {
  if command -v pw-jack >/dev/null && command -v jack_midiseq >/dev/null && command -v jack_midi_dump >/dev/null; then
    pw-jack jack_midiseq midiseq 24000 0 60 8000 >"$dir/midiseq.log" 2>&1 &
    echo "midiseq $!" >>"$pids"
    pw-jack jack_midi_dump >"$dir/midi-dump.log" 2>&1 &
    echo "midi-dump $!" >>"$pids"
    wait_for "the JACK MIDI ports" has_port -o midiseq:out
    wait_for "the JACK MIDI ports" has_port -i midi-monitor:input
  fi
}

stop_all() {
  [[ -f "$pids" ]] || return 0
  tac "$pids" | while read -r _ pid; do stop_pid "$pid"; done
  rm -f "$pids"
}

case "$cmd" in
  start)
    stop_all
    rm -rf "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
    mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d" "$XDG_STATE_HOME" "$HOME"
    chmod 700 "$XDG_RUNTIME_DIR"
    cat >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/10-headless.conf" <<'CONF'
context.properties = {
  support.dbus = false
  default.clock.min-quantum = 16
  vm.overrides = { default.clock.min-quantum = 16 }
}
CONF
    if ! { start_daemon && create_nodes && start_jack_clients; }; then stop_all; exit 1; fi
    echo "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
    ;;
  restart-daemon)
    pid=$(awk '$1=="pipewire"{print $2}' "$pids" | tail -n1)
    [[ -n "$pid" ]] && stop_pid "$pid"
    sed -i '/^pipewire /d' "$pids"
    # JACK clients end with the daemon they were attached to; start fresh ones with the new daemon
    awk '$1!="pipewire"{print $2}' "$pids" | while read -r p; do stop_pid "$p"; done
    sed -i '/^midi/d' "$pids"
    start_daemon && create_nodes && start_jack_clients
    ;;
  kill-daemon)
    pid=$(awk '$1=="pipewire"{print $2}' "$pids" | tail -n1)
    [[ -n "$pid" ]] && stop_pid "$pid"
    sed -i '/^pipewire /d' "$pids"
    ;;
  stop) stop_all ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
