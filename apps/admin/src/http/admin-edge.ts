import type { BearerAuthentication, HttpEdgeConfig } from '@tally/platform';
import type { Principal } from '../access/principal';

/**
 * Admin's settings of the shared HTTP edge (ADR 0024): its pages (the dashboard, the API docs)
 * load scripts and styles from this origin only; API answers are JSON, which no browser
 * renders as a page. Limits (64 KB bodies, requests per token) are the edge's.
 */
export const ADMIN_EDGE: Partial<HttpEdgeConfig> = {
  helmet: {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  },
};

/** Admin's bearer tokens at the edge: each token is rate limited on its own. */
export function tokenAuthentication(
  verify: (token: string) => Promise<Principal | null>,
): BearerAuthentication<Principal> {
  return { verify, keyOf: (principal) => `token:${principal.tokenId}`, realm: 'tally' };
}
