#!/usr/bin/env bash
# archibald-helper: the console's only way to change privileged state.
#
# Run as root through sudo (the NixOS console module grants exactly the three
# verbs below to the console's user, NOPASSWD, and nothing else):
#
#   archibald-helper write <path> <value>
#   archibald-helper setpci-latency <pci-slot> <value>
#   archibald-helper chrt <fifo|rr|other> <priority> <pid>
#
# `archibald-helper --dry-run VERB ...` validates and prints what it would do,
# changing nothing (used by the tests; sudo does not grant it).
#
# Every argument is checked against a fixed pattern before anything runs.
# Paths are matched literally (no globbing, no "..", no "//", no symlink games:
# a component can only be digits, letters and the few characters the kernel
# uses), so traversal out of the fixed list is impossible.
set -euo pipefail

readonly PROG=archibald-helper
DRY_RUN=0

die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 2
}

usage() {
  cat >&2 <<'USAGE'
usage: archibald-helper [--dry-run] write <path> <value>
       archibald-helper [--dry-run] setpci-latency <pci-slot> <value>
       archibald-helper [--dry-run] chrt <fifo|rr|other> <priority> <pid>
USAGE
  exit 2
}

# Record what is about to happen (the console keeps its own audit log too).
audit() {
  if command -v logger >/dev/null 2>&1; then
    logger -t "$PROG" -p auth.notice -- "uid=${SUDO_UID:-$(id -u)} $*" 2>/dev/null || true
  fi
}

run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
    return 0
  fi
  audit "$*"
  "$@"
}

is_uint() { [[ $1 =~ ^(0|[1-9][0-9]{0,8})$ ]]; }

# uint_in VALUE MIN MAX
uint_in() { is_uint "$1" && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# check_value PATH VALUE: the value rule that belongs to each allowed path.
check_value() {
  local path=$1 value=$2
  case "$path" in
    */cpufreq/scaling_governor)
      [[ $value =~ ^(performance|powersave|schedutil|ondemand|conservative|userspace)$ ]] ;;
    /proc/sys/vm/swappiness)
      uint_in "$value" 0 200 ;;
    /proc/irq/*/smp_affinity_list)
      [[ $value =~ ^[0-9]{1,4}(-[0-9]{1,4})?(,[0-9]{1,4}(-[0-9]{1,4})?){0,63}$ ]] ;;
    /sys/class/rtc/rtc0/max_user_freq | /proc/sys/dev/hpet/max-user-freq)
      uint_in "$value" 64 8192 ;;
    */power/control)
      [[ $value =~ ^(on|auto)$ ]] ;;
    /proc/sys/fs/inotify/max_user_watches)
      uint_in "$value" 8192 4194304 ;;
    *)
      return 1 ;;
  esac
}

# The fixed list of writable files, as anchored regular expressions.
allowed_path() {
  local p=$1
  [[ $p =~ ^/sys/devices/system/cpu/cpu[0-9]{1,4}/cpufreq/scaling_governor$ ]] ||
    [[ $p == /proc/sys/vm/swappiness ]] ||
    [[ $p =~ ^/proc/irq/[0-9]{1,5}/smp_affinity_list$ ]] ||
    [[ $p == /sys/class/rtc/rtc0/max_user_freq ]] ||
    [[ $p == /proc/sys/dev/hpet/max-user-freq ]] ||
    [[ $p =~ ^/sys/bus/usb/devices/(usb[0-9]{1,3}|[0-9]{1,3}-[0-9]{1,3}(\.[0-9]{1,3}){0,6})/power/control$ ]] ||
    [[ $p == /proc/sys/fs/inotify/max_user_watches ]]
}

verb_write() {
  [ $# -eq 2 ] || usage
  local path=$1 value=$2
  case "$path" in
    *..* | *//* | */./* | */) die "refused path: $path" ;;
  esac
  allowed_path "$path" || die "refused path: $path"
  check_value "$path" "$value" || die "refused value for $path: $value"
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would write %q to %s\n' "$value" "$path"
    return 0
  fi
  [ -f "$path" ] || die "no such file: $path"
  audit "write $path $value"
  printf '%s\n' "$value" >"$path"
}

verb_setpci_latency() {
  [ $# -eq 2 ] || usage
  local slot=$1 value=$2
  # [domain:]bus:device.function, as lspci -D prints it
  [[ $slot =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7]$ ]] || die "refused PCI slot: $slot"
  # latency timer in PCI clocks, hexadecimal like setpci itself (e.g. ff, b0, 40)
  [[ $value =~ ^[0-9a-fA-F]{1,2}$ ]] || die "refused latency value: $value (hex 0-ff)"
  local full=$slot
  [[ $slot =~ ^[0-9a-fA-F]{4}: ]] || full="0000:$slot"
  if [ "$DRY_RUN" = 0 ] && [ ! -e "/sys/bus/pci/devices/${full,,}" ]; then
    die "no such PCI device: $slot"
  fi
  run setpci -s "$slot" "latency_timer=$value"
}

verb_chrt() {
  [ $# -eq 3 ] || usage
  local policy=$1 prio=$2 pid=$3 flag
  case "$policy" in
    fifo) flag=-f ;;
    rr) flag=-r ;;
    other) flag=-o ;;
    *) die "refused policy: $policy (fifo, rr or other)" ;;
  esac
  if [ "$policy" = other ]; then
    [ "$prio" = 0 ] || die "refused priority for other: $prio (must be 0)"
  else
    uint_in "$prio" 1 99 || die "refused priority: $prio (1-99)"
  fi
  [[ $pid =~ ^[1-9][0-9]{0,9}$ ]] || die "refused pid: $pid"
  [ "$pid" != 1 ] || die "refused pid: 1"
  if [ "$DRY_RUN" = 0 ] && [ ! -d "/proc/$pid" ]; then
    die "no such process: $pid"
  fi
  run chrt "$flag" -p "$prio" "$pid"
}

main() {
  if [ "${1:-}" = --dry-run ]; then
    DRY_RUN=1
    shift
  fi
  [ $# -ge 1 ] || usage
  local verb=$1
  shift
  case "$verb" in
    write) verb_write "$@" ;;
    setpci-latency) verb_setpci_latency "$@" ;;
    chrt) verb_chrt "$@" ;;
    *) die "unknown verb: $verb" ;;
  esac
}

main "$@"
