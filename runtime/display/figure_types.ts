// runtime/display/figure_types.ts
// The subset of plotly's figure schema (https://plotly.com/javascript/reference/) that tsgrad's
// figures use. Both renderers read it: plotly.js in the browser and svg.ts for static viewers.

export type Datum = number | string;
export interface Trace {
  type?: "scatter" | "bar" | "heatmap" | "image";
  name?: string;
  x?: Datum[]; y?: Datum[];
  z?: number[][];
  mode?: "lines" | "markers" | "lines+markers";
  line?: { color?: string; width?: number; dash?: "solid" | "dash" | "dot" };
  marker?: { color?: string; size?: number; opacity?: number };
  opacity?: number;
  xaxis?: string; yaxis?: string;
  showlegend?: boolean; legendgroup?: string;
  /** heatmap */
  colorscale?: [number, string][]; zmin?: number; zmax?: number; showscale?: boolean;
  texttemplate?: string; text?: string[][];
  /** bar: width of each bar in x units */
  width?: number;
  /** image: a data: URL (PNG) drawn with its top-left pixel at (x0, y0), dx/dy units per pixel */
  source?: string; x0?: number; y0?: number; dx?: number; dy?: number;
  hovertemplate?: string; hoverinfo?: string;
  [extra: string]: unknown;
}

export interface Axis {
  title?: { text: string };
  type?: "linear" | "log" | "category" | "-";
  domain?: [number, number];
  anchor?: string;
  range?: [number, number];
  autorange?: boolean | "reversed";
  showticklabels?: boolean; showgrid?: boolean; zeroline?: boolean; visible?: boolean;
  tickvals?: number[]; ticktext?: string[];
  scaleanchor?: string; constrain?: string;
  [extra: string]: unknown;
}

export interface Annotation {
  text: string; x: number; y: number; xref?: string; yref?: string;
  showarrow?: boolean; font?: { size?: number; color?: string };
  xanchor?: "left" | "center" | "right"; yanchor?: "top" | "middle" | "bottom";
}

export interface Layout {
  title?: { text: string };
  width?: number; height?: number;
  showlegend?: boolean;
  margin?: { l?: number; r?: number; t?: number; b?: number };
  annotations?: Annotation[];
  [axisOrOther: string]: unknown;
}

export interface FigureJSON { data: Trace[]; layout: Layout }
