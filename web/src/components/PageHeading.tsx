import { type ReactNode, useCallback } from 'react';
import { takeHeadingFocus } from '../lib/page.ts';

/** The page's h1. It takes focus after an in-app navigation (see lib/page.ts). */
export function PageHeading({ children, id }: { children: ReactNode; id?: string }) {
  const ref = useCallback((el: HTMLHeadingElement | null) => takeHeadingFocus(el), []);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
