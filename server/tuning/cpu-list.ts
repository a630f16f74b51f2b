/** Kernel CPU lists ("0-3,6,8-9") as sorted sets of CPU numbers, and back. */

export class CpuListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CpuListError';
  }
}

const MAX_CPU = 4095;

/** Parse a kernel CPU list. Throws CpuListError on anything malformed (ranges backwards, junk, huge numbers). */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus = new Set<number>();
  for (const part of trimmed.split(',')) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part.trim());
    if (!m) throw new CpuListError(`"${part}" is not a CPU number or range (like 2 or 2-3)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new CpuListError(`the range ${part} runs backwards`);
    if (to > MAX_CPU) throw new CpuListError(`CPU ${to} is out of range`);
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Like parseCpuList, but null instead of an exception (for values read from the host). */
export function tryParseCpuList(text: string | null | undefined): number[] | null {
  if (text === null || text === undefined) return null;
  try {
    return parseCpuList(text);
  } catch {
    return null;
  }
}

/** The shortest list form: [0,1,2,5] -> "0-2,5". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export const sameCpus = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((c, i) => c === b[i]);
