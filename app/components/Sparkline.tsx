/** A tiny SVG line chart: no chart library for a few hundred points. `max` fixes the scale (100 for percent). */
export function Sparkline({ values, max, className = '', label }: { values: number[]; max?: number; className?: string; label: string }) {
  const width = 200;
  const height = 40;
  if (values.length < 2) return <svg viewBox={`0 0 ${width} ${height}`} className={className} role="img" aria-label={`${label}: collecting`} />;
  const top = max ?? Math.max(1, ...values);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (Math.min(v, top) / top) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className={className} role="img" aria-label={label}>
      <polyline points={`0,${height} ${points} ${width},${height}`} fill="currentColor" fillOpacity="0.12" stroke="none" />
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
