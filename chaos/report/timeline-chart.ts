import { init, type EChartsOption, type ScatterSeriesOption } from 'echarts';
import type { RecoveryFigures, Sample } from './report-model';

/**
 * The recovery timeline as an SVG string, drawn by ECharts' server-side renderer (no DOM, no
 * browser): every availability sample as one point (latency against time since t0, healthy and
 * failed apart), the availability per time bucket below, the fault window (t0 → recovery) shaded in
 * both, and time-to-detect, recovery and the deadline marked.
 *
 * Series order is part of the contract with the tests that count points in the browser:
 * 0 healthy samples, 1 failed samples (one symbol per sample while a series holds at most
 * LARGE_THRESHOLD points; above that ECharts' large mode draws them as one path, so that a 10,000
 * sample report stays quick and small), 2 availability per bucket, 3 and 4 the fault-window markers.
 */

export const CHART_WIDTH = 1120;
export const CHART_HEIGHT = 470;
export const SERIES = { healthy: 0, failed: 1, availability: 2, window: 3, windowBelow: 4 } as const;
export const LARGE_THRESHOLD = 2000;
export const FAULT_WINDOW_LABEL = 'fault window';

const COLORS = {
  healthy: '#2f9e44',
  failed: '#e03131',
  availability: '#1c7ed6',
  window: 'rgba(250, 176, 5, 0.22)',
  detect: '#e8590c',
  recover: '#2b8a3e',
  deadline: '#868e96',
  text: '#343a40',
  grid: '#e9ecef',
};
/** Log axes need positive values; a loopback answer can take 0 ms. */
const MIN_LATENCY_MS = 0.1;
const BUCKET_STEPS_MS = [250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000];

export interface TimelineChart {
  readonly svg: string;
  /** One sentence saying what the chart shows, for the caption and screen readers. */
  readonly description: string;
  readonly bucketMs: number;
}

/** A round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least `value`. */
function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function bucketSize(spanMs: number, rate: number | null): number {
  // About 60 buckets at most, and a few samples in each so that one slow answer is not a 0 % bar.
  const wanted = Math.max(spanMs / 60, rate === null ? 0 : 4000 / rate);
  return BUCKET_STEPS_MS.find((s) => s >= wanted) ?? BUCKET_STEPS_MS[BUCKET_STEPS_MS.length - 1] ?? 60_000;
}

/** Availability per bucket as a step line: [bucket start (s), % healthy], closed at the last bucket's end. */
function availabilityBuckets(samples: readonly Sample[], bucketMs: number): [number, number][] {
  const counts = new Map<number, { ok: number; all: number }>();
  for (const s of samples) {
    const key = Math.floor(s.t / bucketMs);
    const c = counts.get(key) ?? { ok: 0, all: 0 };
    c.all += 1;
    if (s.ok) c.ok += 1;
    counts.set(key, c);
  }
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const points = keys.map((k): [number, number] => {
    const c = counts.get(k) ?? { ok: 0, all: 1 };
    return [(k * bucketMs) / 1000, Math.round((c.ok / c.all) * 1000) / 10];
  });
  const last = points[points.length - 1];
  const lastKey = keys[keys.length - 1];
  if (last !== undefined && lastKey !== undefined) points.push([((lastKey + 1) * bucketMs) / 1000, last[1]]);
  return points;
}

function point(s: Sample): [number, number] {
  return [s.t / 1000, Math.max(s.latencyMs, MIN_LATENCY_MS)];
}

function scatter(name: string, data: [number, number][], color: string, size: number, symbol: string): ScatterSeriesOption {
  return {
    type: 'scatter',
    name,
    data,
    xAxisIndex: 0,
    yAxisIndex: 0,
    symbol,
    symbolSize: size,
    itemStyle: { color, opacity: 0.85 },
    large: true,
    largeThreshold: LARGE_THRESHOLD,
    silent: true,
    z: 3,
  };
}

/** The timeline of one journal's recovery; null when there are no samples to draw. */
export function renderTimelineChart(figures: RecoveryFigures): TimelineChart | null {
  const samples = figures.samples;
  if (samples.length === 0) return null;
  const lastT = samples.reduce((m, s) => Math.max(m, s.t), 0);
  const dataEndMs = Math.max(lastT, figures.timeToRecoverMs ?? 0, figures.timeToDetectMs ?? 0, 1);
  const deadlineMs = figures.objective.withinS === null ? null : figures.objective.withinS * 1000;
  // The deadline is drawn when it fits without squeezing the samples into a corner.
  const showDeadline = deadlineMs !== null && deadlineMs <= dataEndMs * 1.6;
  const xMax = niceCeil(Math.max(dataEndMs, showDeadline && deadlineMs !== null ? deadlineMs : 0) / 1000);
  const windowEnd = (figures.timeToRecoverMs ?? lastT) / 1000;
  const windowLabel = figures.timeToRecoverMs === null ? `${FAULT_WINDOW_LABEL} (not recovered)` : `${FAULT_WINDOW_LABEL} (t0 → recovery)`;
  const bucketMs = bucketSize(dataEndMs, figures.objective.rate);

  const marks: { name: string; xAxis: number; color: string; type: 'solid' | 'dashed' | 'dotted'; align: 'left' | 'center' | 'right' }[] =
    [];
  if (figures.timeToDetectMs !== null)
    marks.push({
      name: `detected ${(figures.timeToDetectMs / 1000).toFixed(2)} s`,
      xAxis: figures.timeToDetectMs / 1000,
      color: COLORS.detect,
      type: 'dashed',
      align: 'left',
    });
  if (figures.timeToRecoverMs !== null)
    marks.push({
      name: `recovered ${(figures.timeToRecoverMs / 1000).toFixed(2)} s`,
      xAxis: figures.timeToRecoverMs / 1000,
      color: COLORS.recover,
      type: 'solid',
      align: 'right',
    });
  if (showDeadline && deadlineMs !== null)
    marks.push({
      name: `deadline ${deadlineMs / 1000} s`,
      xAxis: deadlineMs / 1000,
      color: COLORS.deadline,
      type: 'dotted',
      align: 'center',
    });

  const healthy = samples.filter((s) => s.ok).map(point);
  const failed = samples.filter((s) => !s.ok).map(point);
  const offChart = deadlineMs !== null && !showDeadline ? ` The deadline (${deadlineMs / 1000} s) lies beyond the right edge.` : '';
  const description = `${samples.length} availability samples (${failed.length} failed) over ${(lastT / 1000).toFixed(1)} s after t0; fault window from t0 to ${figures.timeToRecoverMs === null ? 'the last sample (no recovery)' : `recovery at ${(figures.timeToRecoverMs / 1000).toFixed(2)} s`}.${offChart}`;
  const axisLabel = { color: COLORS.text, fontSize: 12 };
  const windowArea = (label: boolean) => ({
    silent: true,
    itemStyle: { color: COLORS.window },
    label: label
      ? { show: true, position: 'insideTop' as const, color: '#8f5b00', fontSize: 12, fontWeight: 'bold' as const }
      : { show: false },
    data: [[{ name: windowLabel, xAxis: 0 }, { xAxis: windowEnd }]] as [{ name: string; xAxis: number }, { xAxis: number }][],
  });

  const option: EChartsOption = {
    animation: false,
    backgroundColor: '#ffffff',
    aria: { enabled: true, label: { description } },
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    legend: {
      top: 6,
      left: 'center',
      itemGap: 36,
      data: ['healthy sample', 'failed sample', `availability per ${bucketMs >= 1000 ? `${bucketMs / 1000} s` : `${bucketMs} ms`}`],
      textStyle: { color: COLORS.text },
    },
    grid: [
      { left: 76, right: 48, top: 64, height: 250 },
      { left: 76, right: 48, top: 352, height: 62 },
    ],
    xAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        max: xMax,
        axisLabel: { ...axisLabel, formatter: '{value} s' },
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
      {
        type: 'value',
        gridIndex: 1,
        min: 0,
        max: xMax,
        axisLabel: { ...axisLabel, formatter: '{value} s' },
        splitLine: { show: false },
        name: 'seconds since t0 (the first action)',
        nameLocation: 'middle',
        nameGap: 30,
        nameTextStyle: { color: COLORS.text },
      },
    ],
    yAxis: [
      {
        type: 'log',
        logBase: 10,
        gridIndex: 0,
        name: 'latency (ms, log scale)',
        nameLocation: 'middle',
        nameGap: 48,
        nameTextStyle: { color: COLORS.text },
        axisLabel,
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
      {
        type: 'value',
        gridIndex: 1,
        min: 0,
        max: 100,
        interval: 50,
        name: 'available %',
        nameLocation: 'middle',
        nameGap: 48,
        nameTextStyle: { color: COLORS.text },
        axisLabel,
      },
    ],
    series: [
      scatter('healthy sample', healthy, COLORS.healthy, 5, 'circle'),
      scatter('failed sample', failed, COLORS.failed, 7, 'diamond'),
      {
        type: 'line',
        name: `availability per ${bucketMs >= 1000 ? `${bucketMs / 1000} s` : `${bucketMs} ms`}`,
        data: availabilityBuckets(samples, bucketMs),
        xAxisIndex: 1,
        yAxisIndex: 1,
        step: 'end',
        showSymbol: false,
        silent: true,
        lineStyle: { color: COLORS.availability, width: 1.5 },
        itemStyle: { color: COLORS.availability },
        areaStyle: { color: 'rgba(28, 126, 214, 0.18)' },
      },
      {
        type: 'line',
        name: FAULT_WINDOW_LABEL,
        data: [],
        xAxisIndex: 0,
        yAxisIndex: 0,
        silent: true,
        markArea: windowArea(true),
        markLine: {
          silent: true,
          symbol: 'none',
          data: marks.map((m) => ({
            name: m.name,
            xAxis: m.xAxis,
            lineStyle: { color: m.color, type: m.type, width: 1.5 },
            label: { formatter: '{b}', position: 'end', align: m.align, color: m.color, fontSize: 12 },
          })),
        },
      },
      {
        type: 'line',
        name: `${FAULT_WINDOW_LABEL} (below)`,
        data: [],
        xAxisIndex: 1,
        yAxisIndex: 1,
        silent: true,
        markArea: windowArea(false),
      },
    ],
  };

  const chart = init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  try {
    chart.setOption(option);
    return { svg: chart.renderToSVGString(), description, bucketMs };
  } finally {
    chart.dispose();
  }
}
