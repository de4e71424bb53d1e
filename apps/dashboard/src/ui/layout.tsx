import type { ReactNode } from 'react';
import { ApiError } from '../api/api.client';

export function Panel({
  title,
  actions,
  children,
  name,
  wide,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  name?: string;
  wide?: boolean;
}) {
  return (
    <section className={wide ? 'panel panel-wide' : 'panel'} data-panel={name}>
      <header className="panel-header">
        <h2>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Kpi({
  label,
  children,
  hint,
  name,
}: {
  label: string;
  children: ReactNode;
  hint?: ReactNode;
  name?: string;
}) {
  return (
    <div className="kpi" data-kpi={name}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{children}</div>
      {hint ? <div className="kpi-hint">{hint}</div> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="loading" role="status">
      Loading {what}…
    </div>
  );
}

/** An error as the operator should read it: the API's code and message, never a stack. */
export function failureText(error: unknown): string {
  return error instanceof ApiError
    ? `${error.errorCode}: ${error.message}`
    : error instanceof Error
      ? error.message
      : 'Something went wrong.';
}

export function Failure({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const text = failureText(error);
  return (
    <div className="failure" role="alert">
      <span>{text}</span>
      {onRetry ? (
        <button type="button" className="link-button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
