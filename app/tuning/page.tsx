import { ComingSoon } from '../components/ComingSoon';

export default function TuningPage() {
  return <ComingSoon title="Tuning" what="Real-time readiness checks with their evidence, safe tweaks with dry-run and revert, and cyclictest latency runs." />;
}
