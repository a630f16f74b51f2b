import { ComingSoon } from '../components/ComingSoon';

export default function RebuildPage() {
  return <ComingSoon title="Rebuild" what="NixOS rebuilds with a live log, generations, rollback and specialisations." />;
}
