# The ArchibaldOS workstation desktop: Hyprland with the seed's keybindings,
# Waybar (CPU, memory, network, HydraMesh), Wofi, SDDM with the wallpaper, and
# the audio tool set.  The configs are system-wide defaults (/etc/xdg); a user's
# own ~/.config files take precedence.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib)
    mkEnableOption
    mkIf
    mkOption
    types
    literalExpression
    ;
  cfg = config.archibald.desktop;

  hydrameshToggle = "${pkgs.hydramesh-scripts}/bin/hydramesh-toggle";
  hydrameshStatus = "${pkgs.hydramesh-scripts}/bin/hydramesh-status";

  defaultWallpaper = pkgs.runCommand "archibaldos-wallpaper.png" { nativeBuildInputs = [ pkgs.imagemagick ]; } ''
    magick -size 3840x2160 radial-gradient:'#2b3a67'-'#0b0d17' \
      -font ${pkgs.dejavu_fonts}/share/fonts/truetype/DejaVuSans.ttf \
      -gravity center -fill '#c9d1ff' -pointsize 220 -annotate +0+0 'ArchibaldOS' "png:$out"
  '';

  cheatsheet = pkgs.writeText "archibaldos-keys.txt" ''
    ArchibaldOS keys (SUPER = the Windows key)

      SUPER+Q            terminal (kitty)
      SUPER+D            application launcher (wofi)
      SUPER+1 .. 5       go to workspace 1-5
      SUPER+SHIFT+1 .. 5 move the window to workspace 1-5
      SUPER+C            close the window
      SUPER+SHIFT+H      HydraMesh on/off
      SUPER+SHIFT+K      this cheatsheet
      SUPER+SHIFT+E      leave Hyprland
      volume keys        output volume up/down/mute, microphone mute

    Console: http://localhost:${toString (config.services.archibald-console.port or 8420)}
  '';

  workspaceBinds = lib.concatMapStrings (n: ''
    bind = $mod, ${toString n}, workspace, ${toString n}
    bind = $mod SHIFT, ${toString n}, movetoworkspace, ${toString n}
  '') (lib.range 1 5);

  hyprlandConf = ''
    # ArchibaldOS Hyprland defaults (/etc/xdg/hypr/hyprland.conf).
    # Copy to ~/.config/hypr/hyprland.conf to change them.
    monitor = , preferred, auto, 1
    $mod = SUPER

    exec-once = waybar
    exec-once = hyprpaper

    input {
      kb_layout = ${cfg.keyboardLayout}
      follow_mouse = 1
    }

    general {
      gaps_in = 4
      gaps_out = 8
      border_size = 2
      layout = dwindle
    }

    misc {
      disable_hyprland_logo = true
    }

    bind = $mod, Q, exec, kitty
    bind = $mod, D, exec, wofi --show drun
    bind = $mod, C, killactive,
    bind = $mod SHIFT, E, exit,
    bind = $mod SHIFT, H, exec, ${hydrameshToggle}
    bind = $mod SHIFT, K, exec, kitty --title "ArchibaldOS keys" --hold less ${cheatsheet}
    ${workspaceBinds}
    bindel = , XF86AudioRaiseVolume, exec, wpctl set-volume -l 1.0 @DEFAULT_AUDIO_SINK@ 5%+
    bindel = , XF86AudioLowerVolume, exec, wpctl set-volume @DEFAULT_AUDIO_SINK@ 5%-
    bindl = , XF86AudioMute, exec, wpctl set-mute @DEFAULT_AUDIO_SINK@ toggle
    bindl = , XF86AudioMicMute, exec, wpctl set-mute @DEFAULT_AUDIO_SOURCE@ toggle
    bindm = $mod, mouse:272, movewindow
    bindm = $mod, mouse:273, resizewindow
  '';

  waybarConfig = builtins.toJSON [
    {
      layer = "top";
      position = "top";
      height = 28;
      modules-left = [ "hyprland/workspaces" ];
      modules-center = [ "clock" ];
      modules-right = [
        "custom/hydramesh"
        "cpu"
        "memory"
        "network"
        "wireplumber"
      ];
      cpu = {
        format = "CPU {usage}%";
        interval = 2;
      };
      memory = {
        format = "MEM {percentage}%";
        interval = 5;
      };
      network = {
        format-wifi = "{essid} {signalStrength}%";
        format-ethernet = "{ipaddr}";
        format-disconnected = "offline";
      };
      wireplumber.format = "VOL {volume}%";
      clock.format = "{:%H:%M}";
      "custom/hydramesh" = {
        exec = hydrameshStatus;
        return-type = "json";
        interval = 5;
        on-click = hydrameshToggle;
        format = "MESH {}";
      };
    }
  ];

  waybarStyle = ''
    * { font-family: "DejaVu Sans", "Font Awesome 6 Free"; font-size: 13px; }
    window#waybar { background: rgba(11, 13, 23, 0.9); color: #c9d1ff; }
    #custom-hydramesh.hydramesh-active { color: #7ee787; }
    #custom-hydramesh.hydramesh-inactive { color: #8b949e; }
    #cpu, #memory, #network, #wireplumber, #custom-hydramesh { padding: 0 8px; }
  '';

  sddmTheme = pkgs.sddm-astronaut.override {
    themeConfig = {
      Background = "${cfg.wallpaper}";
    };
  };
in
{
  options.archibald.desktop = {
    enable = mkEnableOption "the ArchibaldOS workstation desktop (Hyprland, Waybar, SDDM and the audio tool set)";

    wallpaper = mkOption {
      type = types.path;
      default = defaultWallpaper;
      defaultText = literalExpression "a generated ArchibaldOS gradient";
      description = "Wallpaper of the desktop and of the SDDM login screen.";
    };

    keyboardLayout = mkOption {
      type = types.str;
      default = config.services.xserver.xkb.layout or "us";
      defaultText = literalExpression "config.services.xserver.xkb.layout";
      description = "XKB layout used by Hyprland.";
    };

    audioPackages = mkOption {
      type = types.listOf types.package;
      default = with pkgs; [
        ardour
        audacity
        musescore
        fluidsynth
        soundfont-fluid
        csound
        faust
        portaudio
        rtaudio
        supercollider
        surge-XT
        vcv-rack
        puredata
        qjackctl
        qpwgraph
      ];
      defaultText = literalExpression "[ ardour audacity musescore fluidsynth csound faust portaudio rtaudio supercollider surge-XT vcv-rack puredata qjackctl ... ]";
      description = "The audio tool set installed system-wide.";
    };

    unfreePackages = mkOption {
      type = types.listOf types.str;
      default = [ "vcv-rack" ];
      description = ''
        Names of unfree packages of the tool set that may be installed
        (nixpkgs.config.allowUnfreePredicate; VCV Rack ships non-free assets).
      '';
    };
  };

  config = mkIf cfg.enable {
    programs.hyprland.enable = true;
    programs.waybar.enable = true;

    services.displayManager.sddm = {
      enable = true;
      wayland.enable = true;
      theme = "sddm-astronaut-theme";
      extraPackages = [ sddmTheme ];
    };
    services.displayManager.defaultSession = "hyprland";

    nixpkgs.config.allowUnfreePredicate = pkg: lib.elem (lib.getName pkg) cfg.unfreePackages;

    environment.etc = {
      "xdg/hypr/hyprland.conf".text = hyprlandConf;
      "xdg/hypr/hyprpaper.conf".text = ''
        preload = ${cfg.wallpaper}
        wallpaper = , ${cfg.wallpaper}
        splash = false
      '';
      "xdg/waybar/config".text = waybarConfig;
      "xdg/waybar/style.css".text = waybarStyle;
      "xdg/wofi/style.css".text = ''
        window { background-color: #0b0d17; color: #c9d1ff; border: 2px solid #2b3a67; }
        #entry:selected { background-color: #2b3a67; }
      '';
    };
    # Hyprland reads only ~/.config/hypr: point it at the system defaults
    # unless the user already has their own file (L does not replace it).
    systemd.user.tmpfiles.rules = [
      "L %h/.config/hypr/hyprland.conf - - - - /etc/xdg/hypr/hyprland.conf"
      "L %h/.config/hypr/hyprpaper.conf - - - - /etc/xdg/hypr/hyprpaper.conf"
    ];

    services.flatpak.enable = true;
    xdg.portal = {
      enable = true;
      extraPortals = [ pkgs.xdg-desktop-portal-gtk ];
    };

    fonts.packages = with pkgs; [
      dejavu_fonts
      noto-fonts
      font-awesome
    ];

    environment.systemPackages =
      (with pkgs; [
        kitty
        wofi
        hyprpaper
        pcmanfm
        vim
        brave
        libnotify
        pavucontrol
        sddmTheme
        pkgs.hydramesh-scripts
      ])
      ++ cfg.audioPackages;
  };
}
