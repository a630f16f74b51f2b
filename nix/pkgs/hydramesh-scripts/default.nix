# Desktop glue for HydraMesh: `hydramesh-toggle` (start/stop the unit, then a
# notification) and `hydramesh-status` (Waybar's custom-module JSON).
# Starting/stopping is allowed to the audio group by a polkit rule in the
# hydramesh module, so neither script needs sudo.
{
  symlinkJoin,
  writeShellApplication,
  systemd,
  libnotify,
}:

let
  toggle = writeShellApplication {
    name = "hydramesh-toggle";
    runtimeInputs = [
      systemd
      libnotify
    ];
    text = ''
      if systemctl is-active --quiet hydramesh.service; then
        systemctl stop hydramesh.service
        notify-send --app-name=HydraMesh "HydraMesh" "Stopped" || true
      else
        systemctl start hydramesh.service
        notify-send --app-name=HydraMesh "HydraMesh" "Started" || true
      fi
    '';
  };
  status = writeShellApplication {
    name = "hydramesh-status";
    runtimeInputs = [ systemd ];
    text = ''
      if systemctl is-active --quiet hydramesh.service; then
        printf '{"text":"ON","class":"hydramesh-active","tooltip":"HydraMesh running"}\n'
      else
        printf '{"text":"OFF","class":"hydramesh-inactive","tooltip":"HydraMesh stopped"}\n'
      fi
    '';
  };
in
symlinkJoin {
  name = "hydramesh-scripts";
  paths = [
    toggle
    status
  ];
  passthru = { inherit toggle status; };
}
