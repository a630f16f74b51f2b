# The installer ISO: a minimal live system that logs in automatically on tty1
# and starts the TUI installer (nix/scripts/installer.sh).  The ISO carries
# this flake's source and its locked inputs, so the generated configuration
# evaluates offline; packages come from the binary cache during installation.
{
  lib,
  pkgs,
  modulesPath,
  archibaldos,
  ...
}:

let
  installer = pkgs.writeShellApplication {
    name = "archibald-installer";
    runtimeInputs = with pkgs; [
      coreutils
      util-linux # lsblk, wipefs, mount, mountpoint
      parted
      dosfstools
      e2fsprogs
      dialog
      mkpasswd
      kbd # loadkeys
      systemd # udevadm
      nixos-install-tools
      nix
      gnugrep
      gnused
    ];
    runtimeEnv.ARCHIBALD_FLAKE_SRC = "${archibaldos}";
    text = builtins.readFile ../scripts/installer.sh;
  };
in
{
  imports = [ "${modulesPath}/installer/cd-dvd/installation-cd-minimal.nix" ];

  image.baseName = lib.mkForce "archibaldos-installer-${pkgs.stdenv.hostPlatform.system}";
  isoImage.volumeID = lib.mkForce "ARCHIBALDOS";

  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  # NetworkManager (nmtui) instead of the minimal ISO's bare wpa_supplicant
  networking.networkmanager.enable = true;
  networking.wireless.enable = lib.mkForce false;

  # the flake's inputs, so `nixos-install --flake` finds them without network
  system.extraDependencies = map (input: input.outPath) (lib.attrValues archibaldos.inputs);

  environment.systemPackages = [ installer ];

  # auto-login (as the installation-device profile does) and start the
  # installer once on the first console
  services.getty.autologinUser = "nixos";
  services.getty.helpLine = lib.mkAfter ''

    To install ArchibaldOS: sudo archibald-installer   (dry run: --dry-run)
  '';
  programs.bash.loginShellInit = ''
    if [ "$(tty)" = /dev/tty1 ] && [ -z "''${ARCHIBALD_INSTALLER_STARTED:-}" ]; then
      export ARCHIBALD_INSTALLER_STARTED=1
      sudo archibald-installer || echo "The installer stopped; run it again with: sudo archibald-installer"
    fi
  '';
}
