// The dashboard: requests per day by field and by language, time to triage / first offer /
// match (median and p90), offer outcomes, and how often staff kept the AI triage, per field,
// urgency and language over weeks (where the model is weak).
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { Lines, type Series, StackedBars } from "../shared/charts";
import { duration, percent } from "../shared/format";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, t, T } from "./context";
import { ops } from "./ops";
import { FIELD_COLORS } from "./request";
import { FIELDS, type Field, type OfferStatus, type RequestStatus, URGENCIES } from "./types";

interface Point {
  periodStart: string;
  key: string;
  reviewed: number;
  agreed: number;
}
interface DashboardData {
  stats: {
    requestsByStatus: { status: RequestStatus; count: number }[];
    dashboard: {
      days: number;
      since: string;
      requestsPerDay: { day: string; field: Field | null; language: string | null; count: number }[];
      durations: { measure: "TRIAGE" | "FIRST_OFFER" | "MATCH"; count: number; medianSeconds: number | null; p90Seconds: number | null }[];
      offerOutcomes: { status: OfferStatus; count: number }[];
      agreementByField: Point[];
      agreementByUrgency: Point[];
      agreementByLanguage: Point[];
    };
  };
}

const PALETTE = ["#1f5f8b", "#c2410c", "#0f766e", "#6d28d9", "#b3261e", "#4d7c0f", "#a16207", "#be185d", "#475569"];
const RANGES = [7, 30, 90];

function daysOf(since: string, days: number): string[] {
  // Tokyo calendar days, as the server counts them.
  const start = new Date(since).getTime();
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" });
  return Array.from({ length: days }, (_, i) => fmt.format(new Date(start + i * 86_400_000 + 3_600_000)));
}

function topKeys(counts: Map<string, number>, limit: number): string[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k]) => k);
}

export function Dashboard() {
  const days = useSignal(30);
  const data = useSignal<DashboardData["stats"] | null>(null);
  const error = useSignal<unknown>(null);

  useEffect(() => {
    error.value = null;
    client
      .request<DashboardData>(ops.get("Dashboard"), { days: days.value })
      .then((d) => (data.value = d.stats))
      .catch((e: unknown) => (error.value = e));
  }, [days.value]);

  const stats = data.value;
  const lang = i18n.locale.value.lang;
  return (
    <main id="main" class="dashboard">
      <div class="dashboard-head">
        <h1>
          <T k="staff.dashboard.title" />
        </h1>
        <div role="group" aria-label={t("staff.dashboard.range")} class="range">
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={days.value === r} onClick={() => (days.value = r)}>
              <T k="staff.dashboard.days" p={{ count: r }} />
            </button>
          ))}
        </div>
      </div>
      <ErrorNotice error={error.value} i18n={i18n} />
      {!stats ? (
        <p class="muted">{t("common.loading")}</p>
      ) : (
        <DashboardBody stats={stats} lang={lang} />
      )}
    </main>
  );
}

function DashboardBody(props: { stats: DashboardData["stats"]; lang: string }) {
  const { stats, lang } = props;
  const d = stats.dashboard;
  const xs = daysOf(d.since, d.days);
  const shortXs = xs.map((x) => x.slice(5));
  const index = new Map(xs.map((x, i) => [x, i]));

  // Requests per day by field.
  const fieldSeries: Series[] = [
    ...FIELDS.map((f) => ({ key: f, label: t(`common.field.${f}`), color: FIELD_COLORS[f] })),
    { key: "none", label: t("staff.dashboard.notTriaged"), color: "#9aa3ad" },
  ];
  const byField = xs.map(() => fieldSeries.map(() => 0));
  // ... and by language (the most frequent ones, the rest together).
  const languageTotals = new Map<string, number>();
  for (const c of d.requestsPerDay) languageTotals.set(c.language ?? "?", (languageTotals.get(c.language ?? "?") ?? 0) + c.count);
  const topLanguages = topKeys(languageTotals, 8);
  const languageSeries: Series[] = topLanguages.map((l, i) => ({ key: l, label: l, color: PALETTE[i % PALETTE.length]! }));
  if (languageTotals.size > topLanguages.length) languageSeries.push({ key: "other", label: t("staff.dashboard.otherLanguages"), color: "#9aa3ad" });
  const byLanguage = xs.map(() => languageSeries.map(() => 0));
  for (const c of d.requestsPerDay) {
    const xi = index.get(c.day);
    if (xi === undefined) continue;
    const fi = c.field ? FIELDS.indexOf(c.field) : FIELDS.length;
    byField[xi]![fi]! += c.count;
    const li = topLanguages.indexOf(c.language ?? "?");
    byLanguage[xi]![li >= 0 ? li : languageSeries.length - 1]! += c.count;
  }
  const total = d.requestsPerDay.reduce((a, c) => a + c.count, 0);

  const outcomes = new Map(d.offerOutcomes.map((o) => [o.status, o.count]));
  const answered = (outcomes.get("ACCEPTED") ?? 0) + (outcomes.get("DECLINED") ?? 0) + (outcomes.get("EXPIRED") ?? 0);
  const share = (n: number) => (answered ? n / answered : null);

  return (
    <>
      <section class="kpis" aria-label={t("staff.dashboard.summary")}>
        <div class="kpi">
          <span class="kpi-value">{total}</span>
          <span class="kpi-label">
            <T k="staff.dashboard.requests" />
          </span>
        </div>
        {d.durations.map((m) => (
          <div class="kpi" key={m.measure} data-measure={m.measure}>
            <span class="kpi-value">{duration(m.medianSeconds, lang)}</span>
            <span class="kpi-label">
              <T k={`staff.dashboard.measure.${m.measure}`} />
            </span>
            <span class="muted small">
              p90 {duration(m.p90Seconds, lang)} · n={m.count}
            </span>
          </div>
        ))}
        <div class="kpi">
          <span class="kpi-value">{percent(share(outcomes.get("ACCEPTED") ?? 0), lang)}</span>
          <span class="kpi-label">
            <T k="staff.dashboard.acceptance" />
          </span>
          <span class="muted small">
            <T k="staff.dashboard.expiry" /> {percent(share(outcomes.get("EXPIRED") ?? 0), lang)} · n={answered}
          </span>
        </div>
      </section>
      <div class="chart-grid">
        <StackedBars
          title={<T k="staff.dashboard.perDayField" />}
          summary={t("staff.dashboard.perDaySummary", { count: total, days: d.days })}
          tableCaption={t("staff.dashboard.showData")}
          xs={shortXs}
          series={fieldSeries}
          values={byField}
        />
        <StackedBars
          title={<T k="staff.dashboard.perDayLanguage" />}
          summary={t("staff.dashboard.perDaySummary", { count: total, days: d.days })}
          tableCaption={t("staff.dashboard.showData")}
          xs={shortXs}
          series={languageSeries}
          values={byLanguage}
        />
        <AgreementChart title="staff.dashboard.agreementField" points={d.agreementByField} keys={[...FIELDS]} label={(k) => t(`common.field.${k as Field}`)} lang={lang} />
        <AgreementChart title="staff.dashboard.agreementUrgency" points={d.agreementByUrgency} keys={[...URGENCIES]} label={(k) => t(`common.urgency.${k as (typeof URGENCIES)[number]}`)} lang={lang} />
        <AgreementChart title="staff.dashboard.agreementLanguage" points={d.agreementByLanguage} keys={null} label={(k) => k} lang={lang} />
        <StatusTable stats={stats} />
      </div>
    </>
  );
}

function AgreementChart(props: {
  title: "staff.dashboard.agreementField" | "staff.dashboard.agreementUrgency" | "staff.dashboard.agreementLanguage";
  points: Point[];
  keys: string[] | null;
  label: (key: string) => string;
  lang: string;
}) {
  const weeks = [...new Set(props.points.map((p) => p.periodStart))].sort();
  const reviewed = new Map<string, number>();
  for (const p of props.points) reviewed.set(p.key, (reviewed.get(p.key) ?? 0) + p.reviewed);
  const keys = (props.keys ?? topKeys(reviewed, 8)).filter((k) => reviewed.has(k));
  const series: Series[] = keys.map((k, i) => ({ key: k, label: props.label(k), color: PALETTE[i % PALETTE.length]! }));
  const values = keys.map((k) =>
    weeks.map((w) => {
      const p = props.points.find((q) => q.key === k && q.periodStart === w);
      return p && p.reviewed > 0 ? p.agreed / p.reviewed : null;
    }),
  );
  const totalReviewed = [...reviewed.values()].reduce((a, b) => a + b, 0);
  const totalAgreed = props.points.reduce((a, p) => a + p.agreed, 0);
  if (weeks.length === 0) {
    return (
      <figure class="chart">
        <figcaption>
          <T k={props.title} />
        </figcaption>
        <p class="muted">
          <T k="staff.dashboard.noReviews" />
        </p>
      </figure>
    );
  }
  return (
    <Lines
      title={<T k={props.title} />}
      summary={t("staff.dashboard.agreementSummary", { share: percent(totalAgreed / totalReviewed, props.lang), count: totalReviewed })}
      tableCaption={t("staff.dashboard.showData")}
      xs={weeks.map((w) => w.slice(5))}
      series={series}
      values={values}
      percent
      format={(v) => percent(v, props.lang)}
    />
  );
}

function StatusTable(props: { stats: DashboardData["stats"] }) {
  return (
    <figure class="chart">
      <figcaption>
        <T k="staff.dashboard.byStatus" />
      </figcaption>
      <table class="data">
        <tbody>
          {props.stats.requestsByStatus.map((s) => (
            <tr key={s.status}>
              <th scope="row">
                <T k={`staff.status.${s.status}`} />
              </th>
              <td class="num">{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
