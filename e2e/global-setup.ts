import { buildIfStale } from '../scripts/build-if-stale.mjs';

/** e2e runs against the production build: build it once if the sources changed. */
export default function globalSetup() {
  buildIfStale();
}
