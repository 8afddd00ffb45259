import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

// Only the parts the dashboard draws; SVG so a printed page is sharp and the e2e test can read it.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.ComposeOption<
  import('echarts/charts').BarSeriesOption | import('echarts/charts').LineSeriesOption | import('echarts/components').GridComponentOption | import('echarts/components').LegendComponentOption | import('echarts/components').TitleComponentOption | import('echarts/components').TooltipComponentOption
>;

/** One ECharts chart in a box of the given height; redrawn when its option changes, resized with its box. */
export function EChart({ option, label, height = 260, testId }: { option: ChartOption; label: string; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!box.current) return undefined;
    const c = echarts.init(box.current, null, { renderer: 'svg' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={box} className="echart" role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
