import { describe, expect, it } from 'vitest';
import { parseHistogram } from './cyclictest';

// Captured from rt-tests 2.5 on Debian 12: `cyclictest -D 1 -p 80 -a 0 -t 1 -h 8 -q -m -i 1000` (a tiny
// histogram, so most samples overflow).
const OUTPUT = `# /dev/cpu_dma_latency set to 0us
# Histogram
000000 000000
000001 000000
000002 000000
000003 000000
000004 000000
000005 000015
000006 000024
000007 000030
# Total: 000000069
# Min Latencies: 00005
# Avg Latencies: 00021
# Max Latencies: 00257
# Histogram Overflows: 00931
# Histogram Overflow at cycle number:
# Thread 0: 00000 00001 00002 00003 00004 00005 00006 00007 # 00923 others`;

describe('cyclictest histogram', () => {
  it('counts every cycle: "# Total" holds only the in-histogram samples, overflows come on top', () => {
    const result = parseHistogram(OUTPUT.split('\n'), [0], 8)!;
    expect(result.perCpu).toEqual([{ cpu: 0, min: 5, avg: 21, max: 257, cycles: 1000, overflows: 931 }]);
    expect(result.histogram).toEqual([[0, 0, 0, 0, 0, 15, 24, 30]]);
    expect(result.histogram[0].reduce((a, b) => a + b, 0) + result.perCpu[0].overflows).toBe(result.perCpu[0].cycles);
  });

  it('returns null when cyclictest printed no histogram (it failed to start)', () => {
    expect(parseHistogram(['Unable to change scheduling policy!', 'Probably missing capabilities'], [0], 100)).toBeNull();
  });
});
