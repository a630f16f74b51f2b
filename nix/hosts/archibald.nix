# The workstation: everything of the headless rig plus the Hyprland desktop.
{ ... }:

{
  imports = [ ./reference.nix ];

  networking.hostName = "archibald";
  archibald.desktop.enable = true;
}
