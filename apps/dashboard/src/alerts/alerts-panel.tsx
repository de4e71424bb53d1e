import { useSignedIn } from '../api/api-context';
import type { Alert } from '../api/api.types';
import { formatInstant } from '../format/dates';
import { AlertBadge } from '../ui/alert-badge';
import { Empty, Failure, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { alertAmountShown } from './alert-amount';
import { LoadMore, useMorePages } from '../ui/more-pages';
import { useAsync } from '../ui/use-async';

/** Alerts fired (and resolved) for the account, newest first as the API lists them. */
export function AlertsPanel({ accountId }: { accountId: string }) {
  const { api } = useSignedIn();
  const [alerts, reload] = useAsync(() => api.alerts(accountId), `alerts:${accountId}`);
  const more = useMorePages(alerts.status === 'done' ? alerts.value : undefined, (cursor) =>
    api.alerts(accountId, cursor),
  );
  return (
    <Panel title="Alerts" name="alerts">
      {alerts.status === 'loading' ? <Loading what="alerts" /> : null}
      {alerts.status === 'failed' ? <Failure error={alerts.error} onRetry={reload} /> : null}
      {alerts.status === 'done' && more.items.length === 0 ? (
        <Empty>No alerts. Levels, limits and top-up failures show up here.</Empty>
      ) : null}
      {more.items.length > 0 ? (
        <ul className="alert-list" data-list="alerts">
          {more.items.map((alert, index) => (
            <AlertItem key={alert.id ?? alert.alert_id ?? index} alert={alert} />
          ))}
        </ul>
      ) : null}
      <LoadMore more={more} />
    </Panel>
  );
}

function AlertItem({ alert }: { alert: Alert }) {
  const resolved = alert.state === 'resolved';
  const amount = alertAmountShown(alert);
  return (
    <li className={resolved ? 'alert-item resolved' : 'alert-item'} data-alert-kind={alert.kind}>
      <div className="alert-item-head">
        {alert.level ? <AlertBadge level={alert.level} /> : null}
        <span className="alert-kind">{alert.kind.replace(/_/g, ' ')}</span>
        {alert.state ? (
          <span className={`alert-state state-${resolved ? 'resolved' : 'fired'}`}>
            {alert.state}
          </span>
        ) : null}
        <span className="muted small alert-at">{formatInstant(alert.at)}</span>
      </div>
      {alert.message ? <div className="alert-message">{alert.message}</div> : null}
      <div className="muted small">
        {alert.percent !== undefined ? `${alert.percent} % spent` : null}
        {amount ? (
          <>
            {' · '}
            <Money value={amount.value} currency={amount.currency} />
          </>
        ) : null}
        {alert.api_key_id ? ` · key ${alert.api_key_id}` : null}
      </div>
    </li>
  );
}
