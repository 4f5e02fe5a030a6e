export { TimeSeriesChart, type TimeSeries } from "./time-series-chart";
export { BarChart, type BarDatum } from "./bar-chart";
export { Sparkline, sparklineSummary } from "./sparkline";
export {
  linearScale,
  niceStep,
  niceTicks,
  timeTicks,
  formatTimeTick,
  formatTimestamp,
  formatCompact,
  formatWithUnit,
  linePath,
  barPercent,
  SERIES_COLORS,
} from "./scale";
