import { ComingSoon } from '../components/ComingSoon';

export default function MeshPage() {
  return <ComingSoon title="Mesh" what="The HydraMesh service: on/off, its configuration, peers and their round-trip times." />;
}
