import type { ReactNode } from 'react';

/** One key figure: a label, the value, and where it comes from. */
export function KeyFigure({
  label,
  value,
  children,
  text = false,
}: {
  label: string;
  value: ReactNode;
  children?: ReactNode;
  /** A value in words (such as a date range) rather than a number: set smaller. */
  text?: boolean;
}) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd className={text ? 'figure-value figure-value-text' : 'figure-value'}>{value}</dd>
      {children && <dd className="figure-source">{children}</dd>}
    </div>
  );
}
