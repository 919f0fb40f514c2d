/** The product look: dark ink on light paper, system fonts only (the CSP allows no font CDN). */
import { createTheme, type MantineColorsTuple } from '@mantine/core';

const ink: MantineColorsTuple = ['#f1f4f9', '#e1e6ef', '#c2cbdb', '#a0aec6', '#8394b4', '#6f83a9', '#4f6289', '#3b4a6b', '#222c43', '#111827'];

export const theme = createTheme({
  primaryColor: 'ink',
  primaryShade: 8,
  colors: { ink },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '650' },
  focusRing: 'auto',
  components: {
    Paper: { defaultProps: { withBorder: true, radius: 'md' } },
    Card: { defaultProps: { withBorder: true, radius: 'md' } },
    // Links in blue, so that a name in a table reads as something to open.
    Anchor: { defaultProps: { c: 'blue.8' } },
    Badge: { defaultProps: { variant: 'light', radius: 'sm' } },
    // Mantine's close buttons have no name of their own; a screen reader would announce "button".
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    // Native scrolling: no space kept under every table for a scrollbar that a wide screen never shows.
    TableScrollContainer: { defaultProps: { type: 'native' } },
  },
});
