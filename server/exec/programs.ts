/**
 * The fixed list of programs the console may start on the box. Anything else is refused by the runner.
 * Each domain's probe() asks `which()` for its tools, so a missing tool greys out its page instead of failing later.
 */
export const ALLOWED_PROGRAMS = [
  // audio: the PipeWire graph, clock and profiler
  'pw-dump',
  'pw-link',
  'pw-cli',
  'pw-metadata',
  'pw-profiler',
  'pw-jack',
  'jack_iodelay',
  // tuning: latency measurement and the privileged helper (its own verbs are fixed, see nix/modules/console.nix)
  'cyclictest',
  'archibald-helper',
  'sudo',
  // rebuild and mesh
  'nix',
  'nixos-rebuild',
  'systemctl',
] as const;

export type AllowedProgram = (typeof ALLOWED_PROGRAMS)[number];
