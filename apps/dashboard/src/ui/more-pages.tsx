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
 * A list read by `next_cursor` past its first page. The further pages, and the state of
 * loading one, belong to the first page they followed: a first page loaded again (another
 * filter, a retry) starts the list over, and an answer for the list before it is dropped.
 */
export function useMorePages<T>(
  firstPage: Page<T> | undefined,
  loadPage: (cursor: string) => Promise<Page<T>>,
): MorePages<T> {
  const [more, setMore] = useState<{
    after?: Page<T>;
    pages: Page<T>[];
    state: MorePages<T>['state'];
  }>({ pages: [], state: 'idle' });
  const current = firstPage !== undefined && more.after === firstPage;
  const pages = current ? more.pages : [];
  const loaded = firstPage === undefined ? [] : [firstPage, ...pages];
  const nextCursor = loaded[loaded.length - 1]?.next_cursor ?? null;

  const loadMore = () => {
    if (firstPage === undefined || nextCursor === null) return;
    const after = firstPage;
    const settle = (next: typeof more) =>
      setMore((previous) => (previous.after === after ? next : previous));
    setMore({ after, pages, state: 'loading' });
    loadPage(nextCursor).then(
      (page) => settle({ after, pages: [...pages, page], state: 'idle' }),
      (error: unknown) => settle({ after, pages, state: { error } }),
    );
  };

  return {
    items: loaded.flatMap((page) => page.items),
    nextCursor,
    state: current ? more.state : 'idle',
    loadMore,
  };
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
