import { useState } from 'react';
import type { Page } from '../api/api.types';
import { Failure } from './layout';

export interface MorePages<T> {
  /** The first page's items and those of every further page loaded, in order. */
  items: T[];
  nextCursor: string | null;
  state: 'idle' | 'loading' | { error: unknown };
  loadMore: () => void;
}

/**
 * A list read by `next_cursor` past its first page: the further pages belong to the first page
 * they followed, so a first page loaded again starts the list over.
 */
export function useMorePages<T>(
  firstPage: Page<T> | undefined,
  loadPage: (cursor: string) => Promise<Page<T>>,
): MorePages<T> {
  const [more, setMore] = useState<{ after?: Page<T>; pages: Page<T>[] }>({ pages: [] });
  const [state, setState] = useState<MorePages<T>['state']>('idle');
  const pages = firstPage !== undefined && more.after === firstPage ? more.pages : [];
  const loaded = firstPage === undefined ? [] : [firstPage, ...pages];
  const nextCursor = loaded[loaded.length - 1]?.next_cursor ?? null;

  const loadMore = () => {
    if (firstPage === undefined || nextCursor === null) return;
    setState('loading');
    loadPage(nextCursor).then(
      (page) => {
        setMore({ after: firstPage, pages: [...pages, page] });
        setState('idle');
      },
      (error: unknown) => setState({ error }),
    );
  };

  return { items: loaded.flatMap((page) => page.items), nextCursor, state, loadMore };
}

/** "Load more" while the list has a next page, and why the last attempt failed. */
export function LoadMore({ more }: { more: MorePages<unknown> }) {
  return (
    <>
      {typeof more.state === 'object' ? (
        <Failure error={more.state.error} onRetry={more.loadMore} />
      ) : null}
      {more.nextCursor ? (
        <div className="table-footer">
          <span className="muted">{more.items.length} shown, more available</span>
          <button type="button" onClick={more.loadMore} disabled={more.state === 'loading'}>
            {more.state === 'loading' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </>
  );
}
