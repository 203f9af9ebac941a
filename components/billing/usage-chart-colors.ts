// The chart's colours as values, for the interactive chart's SVG attributes (the server-drawn one uses the
// same Tailwind colours as classes).
export const chartColors = {
  used: "#2459d6", // brand-600
  usedFill: "#d9eaff", // brand-100
  quota: "#b45309", // amber-700
  grid: "#e2e8f0", // slate-200
  axis: "#475569", // slate-600
};
