/** One line of a chart. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** CSS color; defaults to the accent. */
  color?: string;
}

const WIDTH = 480;
const HEIGHT = 150;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function compact(value: number): string {
  return Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** A small SVG line chart over time (no chart library needed for a few lines). */
export function LineChart({ title, times, series }: { title: string; times: string[]; series: ChartSeries[] }) {
  const all = series.flatMap((line) => line.values.filter((value): value is number => value !== null && Number.isFinite(value)));
  const max = niceMax(Math.max(0, ...all));
  const n = times.length;
  const x = (index: number): number => PAD.left + (n <= 1 ? 0 : (index / (n - 1)) * (WIDTH - PAD.left - PAD.right));
  const y = (value: number): number => PAD.top + (1 - value / max) * (HEIGHT - PAD.top - PAD.bottom);
  const last = series.map((line) => `${line.label} ${compact([...line.values].reverse().find((value) => value !== null) ?? 0)}`).join(', ');
  const timeLabel = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
  return (
    <figure className="panel chart-panel">
      <figcaption className="panel-title">
        {title}
        {series.length > 1 ? (
          <span className="chart-legend">
            {series.map((line) => (
              <span key={line.label} style={{ color: line.color ?? 'var(--accent)' }}>
                {' '}
                ● {line.label}
              </span>
            ))}
          </span>
        ) : null}
      </figcaption>
      {n === 0 ? (
        <p className="state state-empty">No samples yet.</p>
      ) : (
        <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title} over the last hour; latest: ${last}`}>
          <line className="chart-axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} />
          <line className="chart-axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max)} y2={y(max)} strokeDasharray="3 3" />
          <text className="chart-label" x={PAD.left - 6} y={y(max) + 4} textAnchor="end">
            {compact(max)}
          </text>
          <text className="chart-label" x={PAD.left - 6} y={y(0) + 4} textAnchor="end">
            0
          </text>
          <text className="chart-label" x={PAD.left} y={HEIGHT - 4}>
            {timeLabel(times[0])}
          </text>
          <text className="chart-label" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
            {timeLabel(times[n - 1])}
          </text>
          {series.map((line) => {
            const points = line.values.map((value, index) => (value === null ? null : `${x(index).toFixed(1)},${y(value).toFixed(1)}`)).filter(Boolean);
            return <polyline key={line.label} className="chart-line" points={points.join(' ')} style={line.color ? { stroke: line.color } : undefined} />;
          })}
        </svg>
      )}
    </figure>
  );
}
