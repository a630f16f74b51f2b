import { ComingSoon } from '../components/ComingSoon';

export default function LibraryPage() {
  return <ComingSoon title="Library" what="The StreamDB sample library: search, metadata, waveform peaks and preview." />;
}
