import { ALERT_LEVELS } from '../api/api.types';
import type { AlertLevel } from '../api/api.types';

const isLevel = (value: unknown): value is AlertLevel =>
  typeof value === 'string' && (ALERT_LEVELS as readonly string[]).includes(value);

/** The alert level as a coloured badge; anything else the API sends shows as plain grey text. */
export function AlertBadge({ level }: { level: unknown }) {
  if (!isLevel(level)) {
    return <span className="badge badge-unknown">{typeof level === 'string' ? level : '—'}</span>;
  }
  return (
    <span className={`badge badge-${level.toLowerCase()}`} data-level={level}>
      {level}
    </span>
  );
}
