# The rig: console + PipeWire + RT, no desktop; driven from a tablet or phone.
{ ... }:

{
  imports = [ ./reference.nix ];

  networking.hostName = "archibald-headless";
}
