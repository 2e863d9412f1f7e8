/**
 * The colours of compared runs: JupyterLab's theme variables (so light, dark and high-contrast themes each
 * give their own), with a dash pattern once the colours repeat, so that runs stay apart without colour too.
 */
export const SERIES_COLOURS = [
  '--jp-brand-color1',
  '--jp-warn-color1',
  '--jp-success-color1',
  '--jp-error-color1',
  '--jp-info-color1',
  '--jp-brand-color0',
  '--jp-warn-color0',
  '--jp-info-color0'
];

const DASHES: (number[] | undefined)[] = [
  undefined,
  [6, 3],
  [2, 3],
  [8, 3, 2, 3]
];

/** The dash pattern of the series at `index` (solid for the first round of colours). */
export function seriesDash(index: number): number[] | undefined {
  return DASHES[Math.floor(index / SERIES_COLOURS.length) % DASHES.length];
}

/** The CSS colour of the series at `index`, as a `var()` for swatches. */
export function seriesColour(index: number): string {
  return `var(${SERIES_COLOURS[index % SERIES_COLOURS.length]})`;
}
