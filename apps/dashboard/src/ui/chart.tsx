import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import type { EChartsCoreOption, EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the dashboard draws, so the bundle carries a fraction of ECharts. SVG keeps
// charts sharp in screenshots and at any zoom.
use([BarChart, GaugeChart, LineChart, GridComponent, TooltipComponent, SVGRenderer]);

/** One row of the table behind a chart: what a screen reader (and a test) reads. */
export interface ChartRow {
  label: string;
  value: string;
}

/**
 * An ECharts chart with its data as a visually hidden table. Tooltips are built from DOM
 * text nodes (tooltipLines), never HTML strings: labels like model names are user text.
 */
export function Chart({
  name,
  title,
  option,
  rows,
  height,
  className,
}: {
  name: string;
  title: string;
  option: EChartsCoreOption;
  rows: readonly ChartRow[];
  height: number;
  className?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const instance = init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return (
    <figure className={`chart ${className ?? ''}`} data-chart={name} data-points={rows.length}>
      <div ref={container} className="chart-canvas" style={{ height }} aria-hidden="true" />
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <tbody>
            {rows.map((row, index) => (
              <tr key={`${index}-${row.label}`}>
                <th scope="row">{row.label}</th>
                <td>{row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** A tooltip body made of text nodes: a bold first line, then plain lines. */
export function tooltipLines(lines: readonly string[]): HTMLElement {
  const box = document.createElement('div');
  lines.forEach((line, index) => {
    const row = document.createElement(index === 0 ? 'strong' : 'div');
    row.textContent = line;
    box.appendChild(row);
  });
  return box;
}

/** The palette: calm blue for spend, level colours as the badges use them. */
export const COLORS = {
  spend: '#2f6fde',
  spendArea: 'rgba(47, 111, 222, 0.12)',
  grid: '#e7eaf0',
  axis: '#6b7385',
  levels: {
    GREEN: '#1e8e3e',
    YELLOW: '#e3a008',
    ORANGE: '#e8710a',
    RED: '#d93025',
    CRITICAL: '#8b0d0d',
  },
} as const;
