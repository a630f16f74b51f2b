# The console's privileged helper: a small, strict shell script with a fixed
# list of verbs (see archibald-helper.sh).  writeShellApplication runs
# shellcheck on it at build time and pins every program it calls.
{
  lib,
  writeShellApplication,
  coreutils,
  pciutils,
  util-linux,
}:

writeShellApplication {
  name = "archibald-helper";
  runtimeInputs = [
    coreutils # id
    pciutils # setpci
    util-linux # chrt, logger
  ];
  # PATH is set by writeShellApplication; the script refuses everything it
  # does not recognise, so no environment from the caller is trusted.
  text = builtins.readFile ./archibald-helper.sh;
  meta = {
    description = "Fixed-verb privileged helper of the ArchibaldOS console";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "archibald-helper";
  };
}
