/**
 * The charts of a compare, drawn with uPlot (a small canvas charting library). This module is its own lazy
 * chunk: it is loaded only when a chart is shown. Colours are the theme's (JupyterLab CSS variables, read
 * when drawing and again when the theme changes).
 */
import * as React from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { SERIES_COLOURS, seriesDash } from './palette';

export interface IChartSeries {
  label: string;
  /** Its place among the compared runs: picks its colour and dash. */
  index: number;
  x: number[];
  y: number[];
}

export interface IChartProps {
  kind: 'line' | 'scatter';
  series: IChartSeries[];
  xLabel: string;
  yLabel: string;
  /** A logarithmic y axis (values <= 0 are left out). */
  logY?: boolean;
  /** Labels of the x positions 0, 1, 2 ... (a parameter that is not a number). */
  xCategories?: string[];
  /** What the chart shows, for screen readers. */
  label: string;
  height?: number;
}

/** A value of a theme variable on `node` (e.g. `--jp-ui-font-color1`). */
function cssValue(node: Element, name: string, fallback: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim() || fallback;
}

/**
 * The series on one x axis, as uPlot wants them: the sorted union of every series' x, each series' y at
 * those x (null where it has none).
 */
export function align(
  series: readonly IChartSeries[],
  logY = false
): uPlot.AlignedData {
  const xs = new Set<number>();
  for (const s of series) {
    for (const x of s.x) {
      xs.add(x);
    }
  }
  const x = Float64Array.from(xs).sort();
  const at = new Map<number, number>();
  x.forEach((value, i) => at.set(value, i));
  const ys = series.map(s => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      y[at.get(s.x[i])!] = Number.isFinite(v) && (!logY || v > 0) ? v : null;
    }
    return y;
  });
  return [Array.from(x), ...ys] as uPlot.AlignedData;
}

/** A scatter's range: its points away from the edges (5 % each side; a single value gets room too). */
function padded(_: uPlot, min: number, max: number): uPlot.Range.MinMax {
  if (min === null || max === null) {
    return [0, 1];
  }
  const span = max - min || Math.abs(max) || 1;
  return [min - span * 0.05, max + span * 0.05];
}

export function Chart(props: IChartProps): JSX.Element {
  const ref = React.useRef<HTMLDivElement>(null);
  const [theme, setTheme] = React.useState(0);

  // Draw again in the new theme's colours.
  React.useEffect(() => {
    const observer = new MutationObserver(() => setTheme(t => t + 1));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);

  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const text = cssValue(node, '--jp-ui-font-color1', '#000');
    const muted = cssValue(node, '--jp-ui-font-color2', '#666');
    const grid = cssValue(node, '--jp-border-color2', '#ddd');
    // uPlot lays out its axes from a font size in px: the container's computed one (the theme's size0).
    const style = getComputedStyle(node);
    const px = Math.round(parseFloat(style.fontSize) || 11);
    const font = `${px}px ${style.fontFamily || 'sans-serif'}`;
    const colour = (index: number) =>
      cssValue(node, SERIES_COLOURS[index % SERIES_COLOURS.length], '#1976d2');
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: muted,
      labelFont: font,
      font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 }
    });
    const scatter = props.kind === 'scatter';
    const categories = props.xCategories;
    const options: uPlot.Options = {
      width: Math.max(200, node.clientWidth),
      height: props.height ?? 280,
      legend: { show: false },
      cursor: { drag: { x: !scatter, y: false } },
      scales: {
        x: {
          time: false,
          ...(categories
            ? { range: [-0.5, categories.length - 0.5] }
            : scatter
              ? { range: padded }
              : {})
        },
        y: props.logY ? { distr: 3 } : scatter ? { range: padded } : {}
      },
      axes: [
        {
          ...axis(props.xLabel),
          ...(categories
            ? {
                splits: () => categories.map((_, i) => i),
                values: (_: uPlot, splits: number[]) =>
                  splits.map(i => categories[i] ?? '')
              }
            : {})
        },
        { ...axis(props.yLabel), size: 60 }
      ],
      series: [
        {},
        ...props.series.map(s => ({
          label: s.label,
          stroke: colour(s.index),
          fill: undefined,
          width: scatter ? 0 : 1.5,
          dash: scatter ? undefined : seriesDash(s.index),
          spanGaps: true,
          paths: scatter ? () => null : undefined,
          points: scatter
            ? {
                show: true,
                size: 9,
                stroke: colour(s.index),
                fill: colour(s.index)
              }
            : { show: false }
        }))
      ]
    };
    const plot = new uPlot(options, align(props.series, props.logY), node);
    plot.root.style.color = text;
    const resize = new ResizeObserver(() => {
      if (node.clientWidth > 0) {
        plot.setSize({ width: node.clientWidth, height: options.height });
      }
    });
    resize.observe(node);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.series, props.kind, props.logY, props.xCategories, theme]);

  return (
    <div
      ref={ref}
      className="jp-MLOps-chart"
      role="img"
      aria-label={props.label}
      data-chart-kind={props.kind}
      data-series-count={props.series.length}
    />
  );
}

export default Chart;
