// The design system's colour, radius and type tokens as values: the stylesheet (./styles.ts)
// declares them as custom properties, and the mail templates (which cannot use a stylesheet)
// inline the same values, so a message looks like the app.
export const TOKENS = {
  fg: '#111827',
  muted: '#4b5563',
  line: '#e5e7eb',
  bg: '#f9fafb',
  surface: '#fff',
  accent: '#4338ca',
  accentHover: '#3730a3',
  onAccent: '#fff',
  radiusSm: '6px',
  radiusLg: '12px',
  fontSans: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif',
} as const;
