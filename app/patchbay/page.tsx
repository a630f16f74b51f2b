import { ComingSoon } from '../components/ComingSoon';

export default function PatchbayPage() {
  return <ComingSoon title="Patchbay" what="The PipeWire graph as a canvas and a touch matrix: connect ports, set the quantum and rate, save and recall scenes." />;
}
