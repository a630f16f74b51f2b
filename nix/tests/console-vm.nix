# NixOS VM test: boot the headless rig (nix/hosts/archibald-headless.nix),
# wait for the console, and check over HTTP that it answers and refuses
# requests without a session; then check the service really runs idle, pinned
# to the housekeeping cores, and that sudo grants the helper's verbs only;
# finally that root's `archibald` and `audio-setup` run as the console's user,
# so the shared database stays the service's.
#
#   nix build .#checks.x86_64-linux.console-vm -L
#
# The VM keeps the stock kernel (building a PREEMPT_RT kernel is not what this
# test is about) and has 2 CPUs: CPU 1 is the "audio core", CPU 0 housekeeping.
{ archibaldos }:

{ lib, ... }:

{
  name = "archibald-console";

  # our modules (and musnix) add nixpkgs.overlays
  node.pkgsReadOnly = false;

  nodes.rig =
    { config, pkgs, ... }:
    {
      imports = [
        archibaldos.nixosModules.default
        ../hosts/archibald-headless.nix
      ];

      virtualisation = {
        cores = 2;
        memorySize = 2048;
      };

      archibald.rtAudio = {
        kernel.realtime = false;
        kernel.ltsSpecialisation.enable = false;
        cpu.count = 2;
        cpu.audioCores = [ 1 ];
      };

      # no wheel: then `sudo -l` shows exactly what the console module granted
      users.users.performer.extraGroups = lib.mkForce [ "audio" ];

      environment.systemPackages = [ pkgs.curl ];

      # the helper exactly as the console calls it, from inside the console's
      # own sandbox (same user, namespaces, capabilities, NoNewPrivileges)
      systemd.services.sandbox-probe = {
        description = "archibald-helper through sudo inside the console's sandbox";
        serviceConfig = config.systemd.services.archibald-console.serviceConfig // {
          Type = "oneshot";
          Restart = "no";
          ExecStart = "/run/wrappers/bin/sudo -n ${lib.getExe pkgs.archibald-helper} write /proc/sys/vm/swappiness 7";
        };
      };
    };

  testScript = ''
    def http_code(path):
        return rig.succeed(
            f"curl -s -o /dev/null -w '%{{http_code}}' http://127.0.0.1:8420{path}"
        ).strip()

    rig.start()
    rig.wait_for_unit("multi-user.target")
    rig.wait_for_unit("user@1000.service")
    rig.wait_for_unit("archibald-console.service")
    rig.wait_for_open_port(8420)

    with subtest("the console answers and refuses requests without a session"):
        rig.wait_until_succeeds("curl -sf -o /dev/null http://127.0.0.1:8420/", timeout=120)
        code = http_code("/")
        assert code == "200", f"GET / answered {code}, expected 200"
        code = http_code("/api/trpc/system.snapshot")
        assert code == "401", f"GET /api/trpc/system.snapshot without a session answered {code}, expected 401"

    with subtest("the console runs idle, as the audio user, on the housekeeping core"):
        props = rig.succeed(
            "systemctl show archibald-console -p User -p Nice -p CPUSchedulingPolicy "
            "-p IOSchedulingClass -p CPUAffinity -p ProtectSystem -p ProtectHome -p NoNewPrivileges"
        )
        print(props)
        for want in ["User=performer", "Nice=19", "ProtectSystem=strict", "ProtectHome=tmpfs", "NoNewPrivileges=no"]:
            assert want in props, f"missing {want}"
        pid = rig.succeed("systemctl show -p MainPID --value archibald-console").strip()
        rig.succeed(f"grep -Eq '^Cpus_allowed_list:\\s+0$' /proc/{pid}/status")
        rig.succeed(f"chrt -p {pid} | grep -q SCHED_IDLE")
        rig.succeed(f"ionice -p {pid} | grep -q '^idle'")
        # only the audio user's runtime dir is visible under /run/user
        rig.succeed(f"test -d /proc/{pid}/root/run/user/1000")
        rig.fail(f"test -e /proc/{pid}/root/home/performer")

    with subtest("sudo grants the helper's three verbs and nothing else"):
        rules = rig.succeed("sudo -l -U performer")
        print(rules)
        for verb in ["write", "setpci-latency", "chrt"]:
            assert f"archibald-helper {verb} *" in rules, f"no sudo rule for {verb}"
        assert "(ALL) ALL" not in rules and "(ALL : ALL) ALL" not in rules
        rig.succeed("systemctl start sandbox-probe.service")
        rig.succeed("grep -qx 7 /proc/sys/vm/swappiness")
        rig.succeed("su performer -s /bin/sh -c 'sudo -n archibald-helper write /proc/sys/vm/swappiness 9'")
        rig.succeed("grep -qx 9 /proc/sys/vm/swappiness")
        rig.fail("su performer -s /bin/sh -c 'sudo -n archibald-helper write /etc/passwd x'")
        rig.fail("su performer -s /bin/sh -c 'sudo -n archibald-helper write /proc/sys/vm/../../../etc/shadow x'")
        rig.fail("su performer -s /bin/sh -c 'sudo -n /run/current-system/sw/bin/id'")

    with subtest("root's archibald runs as the console's user; the database stays the service's"):
        env = rig.succeed("systemctl show -p Environment --value archibald-console")
        assert "-coreutils-" in env and "-rt-tests-" in env and "-jack-example-tools-" in env, env
        rig.succeed("archibald tune check --json > /tmp/check.json")
        rig.succeed("archibald tune apply swappiness --value=5")
        rig.succeed("grep -qx 5 /proc/sys/vm/swappiness")
        rig.succeed("audio-setup --dry-run --no-bench")
        # the CLI and the service share /var/lib/archibald: nothing in it may belong to root
        stray = rig.succeed("find /var/lib/archibald ! -user performer").strip()
        assert stray == "", f"not owned by performer: {stray}"
        code = http_code("/")
        assert code == "200", f"after the CLI, GET / answered {code}"
  '';
}
