import type { AudioService } from '../audio/service';
import type { ClockProvider } from './checks';

/** The PipeWire clock check's view of the audio domain: what the profiler measured, else what the settings say. */
export function audioClockProvider(audio: Pick<AudioService, 'getStatus' | 'clockState'>): ClockProvider {
  return {
    async clockInForce() {
      if (audio.getStatus().state !== 'live') return null;
      const clock = audio.clockState();
      const measured = clock.inForce;
      const quantum = measured?.quantum ?? clock.configured.quantum;
      const rate = measured?.rate ?? clock.configured.rate;
      if (!quantum || !rate) return null;
      return { quantum, rate, source: measured?.quantum ? 'pipewire (profiler)' : 'pipewire (settings metadata)' };
    },
  };
}
