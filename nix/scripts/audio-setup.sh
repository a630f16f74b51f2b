#!/usr/bin/env bash
# audio-setup: check (and with --apply, tune) this machine for real-time audio.
#
#   audio-setup [--dry-run] [--apply] [--irq-cpu N] [--no-bench]
#
# A thin wrapper over the console's CLI, `archibald tune ...`: the same checks,
# tweaks and cyclictest as the console's tuning page, so every change is
# validated the same way, saved for `archibald tune revert`, and written through
# the privileged helper.
#
# Without --apply it only checks and reports.  --apply makes the seed's runtime
# tweaks: swappiness, inotify watches, RTC/HPET user frequency, the performance
# governor, sound IRQs pinned to one CPU, the sound card's PCI latency timer,
# SCHED_FIFO 80 for running ardour/qjackctl.  --dry-run shows every write (path,
# value now, new value) instead of making it.  Unless --no-bench, a short
# cyclictest and `amidi -l` follow.  Settings that belong in the NixOS
# configuration (kernel, groups, limits, isolcpus) are reported, never changed
# here: `archibald tune permanent` prints the snippet for what was applied.
#
# Log: $AUDIO_SETUP_LOG, else /var/log/audio-setup.log as root, else
# $XDG_STATE_HOME/audio-setup.log.  Exit status: 0 when every step worked
# (a tweak that does not apply to this hardware is skipped, not failed),
# 1 when something failed, 2 on bad usage.
# ARCHIBALD_CLI overrides the command that runs the CLI (default: archibald).
set -euo pipefail

DRY_RUN=0
APPLY=0
BENCH=1
IRQ_CPU=1
failures=0
read -r -a CLI <<<"${ARCHIBALD_CLI:-archibald}"

if [ -n "${AUDIO_SETUP_LOG:-}" ]; then
  LOG=$AUDIO_SETUP_LOG
elif [ "$(id -u)" = 0 ]; then
  LOG=/var/log/audio-setup.log
else
  LOG=${XDG_STATE_HOME:-$HOME/.local/state}/audio-setup.log
fi

usage() {
  echo "usage: audio-setup [--dry-run] [--apply] [--irq-cpu N] [--no-bench]" >&2
  exit 2
}

log() {
  mkdir -p "$(dirname "$LOG")" 2>/dev/null || true
  printf '%s %s\n' "$(date '+%F %T')" "$*" >>"$LOG" 2>/dev/null || true
}

say() {
  printf '%s\n' "$*"
  log "$*"
}

# step NAME ARGS...: one `archibald` call, its output shown and logged.
# Exit 4 from the CLI means "not applicable here" (no such device, process not running): skipped, not failed.
step() {
  local name=$1 rc=0
  shift
  log "run: ${CLI[*]} $*"
  "${CLI[@]}" "$@" 2>&1 | tee -a "$LOG" || rc=${PIPESTATUS[0]}
  case $rc in
    0) ;;
    4) say "skipped: $name (not applicable here)" ;;
    *)
      failures=$((failures + 1))
      say "FAILED: $name (exit $rc)"
      ;;
  esac
}

tweak() {
  local name=$1
  shift
  if [ "$DRY_RUN" = 1 ]; then
    step "$name" tune apply "$name" "$@" --dry-run
  else
    step "$name" tune apply "$name" "$@"
  fi
}

apply_tweaks() {
  tweak swappiness --value=0
  tweak inotify --value=524288
  tweak timer-freq --value=2048
  tweak governor --governor=performance
  tweak irq-affinity --cpus="$IRQ_CPU"
  tweak pci-latency --value=ff
  tweak chrt --names=ardour,qjackctl --priority=80
}

bench() {
  if [ "$DRY_RUN" = 1 ]; then
    say "DRY-RUN: ${CLI[*]} tune bench --duration=10 --priority=80"
  else
    say "cyclictest (10 s):"
    step cyclictest tune bench --duration=10 --priority=80
  fi
  if command -v amidi >/dev/null 2>&1; then
    say "MIDI ports (amidi -l):"
    amidi -l 2>&1 | tee -a "$LOG" || true
  fi
  say "Round-trip latency: connect an output to an input and run jack_iodelay (pw-jack jack_iodelay)."
}

main() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --apply) APPLY=1 ;;
      --no-bench) BENCH=0 ;;
      --irq-cpu)
        IRQ_CPU=${2:?--irq-cpu needs a CPU number}
        [[ $IRQ_CPU =~ ^[0-9]{1,4}$ ]] || usage
        shift
        ;;
      *) usage ;;
    esac
    shift
  done
  if ! command -v "${CLI[0]}" >/dev/null 2>&1; then
    say "audio-setup: ${CLI[0]} (the console's CLI) is not installed: enable services.archibald-console (nixosModules.console), or point ARCHIBALD_CLI at it"
    exit 1
  fi
  log "audio-setup start (dry-run=$DRY_RUN apply=$APPLY)"

  say "Checks (archibald tune check):"
  step checks tune check
  if [ "$APPLY" = 1 ] || [ "$DRY_RUN" = 1 ]; then
    if [ "$DRY_RUN" = 1 ]; then say "Tweaks (dry run, nothing is changed):"; else say "Tweaks:"; fi
    apply_tweaks
    [ "$DRY_RUN" = 1 ] || say "Undo with: archibald tune revert.  Keep with: archibald tune permanent."
  fi
  [ "$BENCH" = 0 ] || bench
  say "audio-setup: $failures failure(s); log: $LOG"
  [ "$failures" = 0 ]
}

main "$@"
