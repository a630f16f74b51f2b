import type { ExecRunner } from './exec';

/**
 * What a domain's probe() answers: whether its OS side is present. The UI greys out a missing capability and
 * shows `reason` (Cockpit's "conditions" idea) instead of failing when a button is pressed.
 */
export interface ProbeResult {
  available: boolean;
  /** Why it is not available, in words a person can act on ("pw-dump is not installed: install pipewire-bin"). */
  reason?: string;
  tools: { name: string; path: string | null }[];
}

/** Probe a set of programs through the runner: available when all are installed. */
export async function probeTools(exec: ExecRunner, programs: readonly string[], hint: string): Promise<ProbeResult> {
  const tools = await Promise.all(programs.map(async (name) => ({ name, path: await exec.which(name) })));
  const missing = tools.filter((t) => !t.path).map((t) => t.name);
  return missing.length === 0
    ? { available: true, tools }
    : { available: false, reason: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed on this host: ${hint}`, tools };
}
