// Page title and focus after navigation: when the route changes, focus moves to the new page's heading so
// that keyboard and screen-reader users start at the top of the new content.
import { useEffect } from 'react';
import { t } from '../i18n/index.ts';

let focusPending = false;

/** Called by the router when the path changes (not on the first load). */
export function requestHeadingFocus(): void {
  focusPending = true;
}

/** Called by a page heading once it is on screen. */
export function takeHeadingFocus(el: HTMLElement | null): void {
  if (!focusPending || !el) return;
  el.focus({ preventScroll: false });
  // A heading of the previous page can still be in the document, hidden while the next page loads: it does
  // not take focus, and the request stays pending for the new page's heading.
  if (document.activeElement === el) focusPending = false;
}

export function usePageTitle(title: string | null): void {
  useEffect(() => {
    document.title = title ? t('app.documentTitle', { page: title }) : t('app.name');
  }, [title]);
}
