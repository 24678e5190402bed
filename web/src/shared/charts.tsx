// Small hand-written SVG charts. Each is a <figure> with a caption, an SVG marked role="img"
// with a text summary, a legend, and the numbers in a table behind <details> for screen
// readers and for anyone who wants the exact values.
import type { ComponentChildren } from "preact";

export interface Series {
  key: string;
  label: string;
  color: string;
}

const W = 640;
const H = 220;
const PAD = { left: 40, right: 8, top: 8, bottom: 28 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function Legend(props: { series: Series[] }) {
  return (
    <ul class="legend">
      {props.series.map((s) => (
        <li key={s.key}>
          <span class="legend-swatch" style={{ background: s.color }} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function DataTable(props: { caption: string; xs: string[]; series: Series[]; value: (x: number, s: number) => string }) {
  return (
    <details>
      <summary>{props.caption}</summary>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={props.caption}>
        <table class="data">
          <thead>
            <tr>
              <th scope="col" />
              {props.series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.xs.map((x, xi) => (
              <tr key={x}>
                <th scope="row">{x}</th>
                {props.series.map((s, si) => (
                  <td key={s.key}>{props.value(xi, si)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function xLabels(xs: string[], x: (i: number) => number) {
  const every = Math.max(1, Math.ceil(xs.length / 8));
  return xs.map((label, i) =>
    i % every === 0 ? (
      <text key={label} x={x(i)} y={H - 8} text-anchor="middle" class="chart-axis">
        {label}
      </text>
    ) : null,
  );
}

function yAxis(max: number, format: (v: number) => string) {
  return [0, 0.5, 1].map((f) => {
    const y = PAD.top + (1 - f) * (H - PAD.top - PAD.bottom);
    return (
      <g key={f}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} class="chart-grid" />
        <text x={PAD.left - 4} y={y + 4} text-anchor="end" class="chart-axis">
          {format(max * f)}
        </text>
      </g>
    );
  });
}

/** Stacked bars: one bar per x, one segment per series. */
export function StackedBars(props: {
  title: ComponentChildren;
  summary: string;
  tableCaption: string;
  xs: string[];
  series: Series[];
  values: number[][]; // values[x][series]
}) {
  const { xs, series, values } = props;
  const totals = values.map((row) => row.reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / Math.max(1, xs.length);
  const x = (i: number) => PAD.left + band * (i + 0.5);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.summary}>
        {yAxis(max, (v) => String(Math.round(v)))}
        {values.map((row, xi) => {
          let acc = 0;
          return (
            <g key={xs[xi]}>
              {row.map((v, si) => {
                if (v <= 0) return null;
                const h = (v / max) * plotH;
                const y = PAD.top + plotH - ((acc + v) / max) * plotH;
                acc += v;
                return (
                  <rect
                    key={series[si]!.key}
                    x={x(xi) - band * 0.35}
                    y={y}
                    width={band * 0.7}
                    height={h}
                    fill={series[si]!.color}
                  >
                    <title>{`${xs[xi]} · ${series[si]!.label}: ${v}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
        {xLabels(xs, x)}
      </svg>
      <Legend series={series} />
      <DataTable caption={props.tableCaption} xs={xs} series={series} value={(xi, si) => String(values[xi]![si] ?? 0)} />
    </figure>
  );
}

/** Lines over x; a null value leaves a gap. Values are shares (0..1) when `percent`. */
export function Lines(props: {
  title: ComponentChildren;
  summary: string;
  tableCaption: string;
  xs: string[];
  series: Series[];
  values: (number | null)[][]; // values[series][x]
  percent?: boolean;
  format: (v: number) => string;
}) {
  const { xs, series, values } = props;
  const all = values.flat().filter((v): v is number => v !== null);
  const max = props.percent ? 1 : niceMax(Math.max(0, ...all));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (xs.length <= 1 ? plotW / 2 : (plotW * i) / (xs.length - 1));
  const y = (v: number) => PAD.top + (1 - v / max) * plotH;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.summary}>
        {yAxis(max, props.format)}
        {series.map((s, si) => {
          const points = values[si]!;
          const segments: string[] = [];
          let current = "";
          points.forEach((v, xi) => {
            if (v === null) {
              if (current) segments.push(current);
              current = "";
            } else {
              current += `${current ? "L" : "M"}${x(xi).toFixed(1)},${y(v).toFixed(1)}`;
            }
          });
          if (current) segments.push(current);
          return (
            <g key={s.key}>
              {segments.map((d) => (
                <path key={d} d={d} fill="none" stroke={s.color} stroke-width={2.5} />
              ))}
              {points.map((v, xi) =>
                v === null ? null : (
                  <circle key={xi} cx={x(xi)} cy={y(v)} r={3.5} fill={s.color}>
                    <title>{`${xs[xi]} · ${s.label}: ${props.format(v)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
        {xLabels(xs, x)}
      </svg>
      <Legend series={series} />
      <DataTable
        caption={props.tableCaption}
        xs={xs}
        series={series}
        value={(xi, si) => {
          const v = values[si]![xi];
          return v === null || v === undefined ? "—" : props.format(v);
        }}
      />
    </figure>
  );
}
