// Hash routes, so admin serves one index.html at GET / and needs no fallback for deep links.
export type Route =
  { page: 'accounts' } | { page: 'account'; accountId: string } | { page: 'system' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const account = /^\/accounts\/([^/]+)\/?$/.exec(path);
  if (account) {
    try {
      return { page: 'account', accountId: decodeURIComponent(account[1] ?? '') };
    } catch {
      return { page: 'accounts' };
    }
  }
  if (path === '/system') return { page: 'system' };
  return { page: 'accounts' };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'accounts':
      return '#/accounts';
    case 'system':
      return '#/system';
    case 'account':
      return `#/accounts/${encodeURIComponent(route.accountId)}`;
  }
}
