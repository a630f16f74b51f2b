# shellcheck shell=bash
# `archibald`: the console's command line (build/cli.mjs) with the box's defaults.
# Installed as $out/bin/archibald by nix/pkgs/archibald-console (which writes the
# shebang and fills in the @...@ values; nix/tests/check-nix.sh tests this file
# with its own values).
#
#   * ARCHIBALD_DATA_DIR defaults to the service's state directory, so the CLI
#     and the console share one database (what one applies, the other lists
#     and can revert).
#   * PATH (and so ARCHIBALD_PATH, unless set) starts with what the tuning
#     engine starts: /run/wrappers/bin (sudo), the privileged helper,
#     cyclictest, PipeWire's pw-* and pw-jack, jack_iodelay, stdbuf (the
#     package's passthru.runtimePrograms), and util-linux (runuser).
#   * Started as root, it runs as the owner of the data directory (the
#     console's user) through `runuser`: SQLite creates the database, -wal and
#     -shm files as whoever opens them first, and a root-owned one would lock
#     the service out.  runuser goes through PAM (its `runuser` service), so
#     the user gets its own limits (@audio's rtprio and memlock for cyclictest)
#     and supplementary groups, exactly as at a login.  Writes that need root
#     still go through `sudo -n archibald-helper`, which the NixOS module grants
#     that user.  A data directory that is missing or owned by root is used as
#     root (systemd's StateDirectory= hands a root-owned one back to the
#     service's user when the service starts).
set -euo pipefail

node='@node@'
cli='@cli@'
export PATH='@path@'"${PATH:+:$PATH}"
# where the CLI looks programs up and the PATH of what it starts (server/env.ts);
# explicit, so it survives runuser even where login.defs has ALWAYS_SET_PATH
export ARCHIBALD_PATH="${ARCHIBALD_PATH:-$PATH}"
export ARCHIBALD_DATA_DIR="${ARCHIBALD_DATA_DIR:-@dataDir@}"
export NODE_ENV="${NODE_ENV:-production}"

if [ "$(id -u)" = 0 ]; then
  owner=$(stat -c %U -- "$ARCHIBALD_DATA_DIR" 2>/dev/null || true)
  case $owner in
    '' | root) ;;
    UNKNOWN)
      echo "archibald: $ARCHIBALD_DATA_DIR belongs to a uid without a user; not running as root there" >&2
      exit 2
      ;;
    *)
      # who really started it (the CLI's audit entry names the user it runs as)
      export ARCHIBALD_CLI_INVOKED_BY="${SUDO_USER:-root}"
      exec runuser -u "$owner" -- "$node" "$cli" "$@"
      ;;
  esac
fi
exec "$node" "$cli" "$@"
