#!/usr/bin/env bash
# audio-setup: check (and optionally tune) this machine for real-time audio.
#
#   audio-setup [--dry-run] [--apply] [--irq-cpu N] [--no-bench]
#
# Without --apply it only checks and reports.  --apply makes the seed's runtime
# tweaks through the console's privileged helper (archibald-helper, via sudo
# when not root): swappiness, inotify watches, RTC/HPET user frequency, the
# performance governor, sound IRQs pinned to one CPU, the sound card's PCI
# latency timer, SCHED_FIFO 80 for running ardour/qjackctl.  --dry-run prints
# every change instead of making it.  Unless --no-bench, a short cyclictest
# and `amidi -l` follow.  Settings that belong in the NixOS configuration
# (kernel, groups, limits, isolcpus) are reported, never changed here: see
# archibald.rtAudio in nix/modules/rt-audio.nix.
#
# When the console's CLI (`archibald`) is installed, the checks are its
# `archibald tune check`, which this script then just runs.
#
# Log: $AUDIO_SETUP_LOG, else /var/log/audio-setup.log as root, else
# $XDG_STATE_HOME/audio-setup.log.
# ARCHIBALD_HOST_ROOT (default /) prefixes every /proc and /sys path read, for tests.
set -euo pipefail

DRY_RUN=0
APPLY=0
BENCH=1
IRQ_CPU=1
ROOT=${ARCHIBALD_HOST_ROOT:-}
ROOT=${ROOT%/}
SWAPPINESS=0
INOTIFY_WATCHES=524288
TIMER_FREQ=2048
warnings=0

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

pass() { say "PASS  $*"; }
warn() {
  warnings=$((warnings + 1))
  say "WARN  $*"
}

read_file() { cat "$ROOT$1" 2>/dev/null || true; }

# helper VERB ARGS...: one privileged change, through archibald-helper
helper() {
  local cmd=(archibald-helper "$@")
  [ "$(id -u)" = 0 ] || cmd=(sudo -n archibald-helper "$@")
  if [ "$DRY_RUN" = 1 ]; then
    printf 'DRY-RUN:'
    printf ' %q' "${cmd[@]}"
    printf '\n'
    log "dry-run: ${cmd[*]}"
    return 0
  fi
  log "run: ${cmd[*]}"
  "${cmd[@]}" || warn "failed: ${cmd[*]}"
}

# --------------------------------------------------------------- checks ---
check_system() {
  local cmdline gov cpu f n
  cmdline=$(read_file /proc/cmdline)

  if [ "$(read_file /sys/kernel/realtime)" = 1 ] || [[ $cmdline == *threadirqs* ]] || [[ $cmdline == *preempt=full* ]]; then
    pass "kernel: real-time or threaded IRQs"
  else
    warn "kernel: neither PREEMPT_RT nor threadirqs/preempt=full (archibald.rtAudio.kernel.realtime)"
  fi

  if [[ $cmdline =~ isolcpus=([^ ]+) ]]; then
    pass "isolated audio cores: ${BASH_REMATCH[1]}"
  else
    warn "no isolcpus on the kernel command line (archibald.rtAudio.cpu.audioCores)"
  fi

  n=0
  for f in "$ROOT"/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do
    [ -e "$f" ] || continue
    gov=$(cat "$f" 2>/dev/null || true)
    [ "$gov" = performance ] || n=$((n + 1))
  done
  if [ "$n" = 0 ]; then pass "CPU governor: performance (or no cpufreq)"; else warn "CPU governor: $n CPU(s) not on performance"; fi

  if [ "$(read_file /sys/devices/system/cpu/smt/active)" = 1 ]; then
    warn "SMT is active: sibling threads share a core with audio threads"
  else
    pass "SMT off or absent"
  fi

  if grep -q '^/' "$ROOT/proc/swaps" 2>/dev/null && [ "$(read_file /proc/sys/vm/swappiness)" -gt 10 ]; then
    warn "swap is on and vm.swappiness is $(read_file /proc/sys/vm/swappiness) (> 10)"
  else
    pass "swappiness: $(read_file /proc/sys/vm/swappiness)"
  fi

  local rtprio memlock
  rtprio=$(ulimit -r)
  memlock=$(ulimit -l)
  if [ "$rtprio" = unlimited ] || [ "$rtprio" -ge 75 ]; then pass "RLIMIT_RTPRIO $rtprio"; else warn "RLIMIT_RTPRIO $rtprio (< 75): is $(id -un) in the audio group?"; fi
  if [ "$memlock" = unlimited ]; then pass "RLIMIT_MEMLOCK unlimited"; else warn "RLIMIT_MEMLOCK $memlock (not unlimited)"; fi

  cpu=$(read_file /sys/class/rtc/rtc0/max_user_freq)
  if [ -n "$cpu" ] && [ "$cpu" -ge "$TIMER_FREQ" ]; then pass "RTC max user freq $cpu"; else warn "RTC max user freq ${cpu:-unknown} (< $TIMER_FREQ)"; fi

  if [ -w "$ROOT/dev/cpu_dma_latency" ]; then pass "/dev/cpu_dma_latency writable"; else warn "/dev/cpu_dma_latency not writable by $(id -un)"; fi

  if [ "$(read_file /proc/sys/fs/inotify/max_user_watches)" -ge "$INOTIFY_WATCHES" ] 2>/dev/null; then
    pass "inotify watches $(read_file /proc/sys/fs/inotify/max_user_watches)"
  else
    warn "inotify watches $(read_file /proc/sys/fs/inotify/max_user_watches) (< $INOTIFY_WATCHES)"
  fi
}

# IRQ numbers of sound devices, from /proc/interrupts
sound_irqs() {
  awk '/snd|audio/ { sub(":", "", $1); if ($1 ~ /^[0-9]+$/) print $1 }' "$ROOT/proc/interrupts" 2>/dev/null || true
}

# --------------------------------------------------------------- tweaks ---
apply_tweaks() {
  local f cpu irq slot pid
  helper write /proc/sys/vm/swappiness "$SWAPPINESS"
  helper write /proc/sys/fs/inotify/max_user_watches "$INOTIFY_WATCHES"
  [ ! -e "$ROOT/sys/class/rtc/rtc0/max_user_freq" ] || helper write /sys/class/rtc/rtc0/max_user_freq "$TIMER_FREQ"
  [ ! -e "$ROOT/proc/sys/dev/hpet/max-user-freq" ] || helper write /proc/sys/dev/hpet/max-user-freq "$TIMER_FREQ"
  for f in "$ROOT"/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do
    [ -e "$f" ] || continue
    cpu=${f#"$ROOT"/sys/devices/system/cpu/}
    cpu=${cpu%%/*}
    helper write "/sys/devices/system/cpu/$cpu/cpufreq/scaling_governor" performance
  done
  for irq in $(sound_irqs); do
    helper write "/proc/irq/$irq/smp_affinity_list" "$IRQ_CPU"
  done
  if command -v lspci >/dev/null 2>&1; then
    # PCI class 0403: audio device
    for slot in $(lspci -Dmn 2>/dev/null | awk '$2 == "\"0403\"" { print $1 }'); do
      helper setpci-latency "$slot" ff
    done
  fi
  for pid in $(pgrep -x 'ardour[0-9]*|qjackctl' 2>/dev/null || true); do
    helper chrt fifo 80 "$pid"
  done
}

bench() {
  if command -v cyclictest >/dev/null 2>&1; then
    say "cyclictest (10 s):"
    if [ "$DRY_RUN" = 1 ]; then
      say "DRY-RUN: cyclictest -l 10000 -m -n -p 80 -i 1000 -q"
    else
      cyclictest -l 10000 -m -n -p 80 -i 1000 -q 2>&1 | tee -a "$LOG" || warn "cyclictest failed (RT priority allowed?)"
    fi
  else
    warn "cyclictest not installed (rt-tests)"
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
      -h | --help) usage ;;
      *) usage ;;
    esac
    shift
  done
  log "audio-setup start (dry-run=$DRY_RUN apply=$APPLY)"

  if command -v archibald >/dev/null 2>&1 && [ -z "$ROOT" ]; then
    say "Checks (archibald tune check):"
    archibald tune check || warnings=$((warnings + 1))
  else
    say "Checks:"
    check_system
  fi
  if [ "$APPLY" = 1 ] || [ "$DRY_RUN" = 1 ]; then
    if [ "$DRY_RUN" = 1 ]; then say "Tweaks (dry run, nothing is changed):"; else say "Tweaks:"; fi
    apply_tweaks
  fi
  [ "$BENCH" = 0 ] || bench
  say "audio-setup: $warnings warning(s); log: $LOG"
}

main "$@"
