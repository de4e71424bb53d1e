/** Secrets `npm start` may be given, and the one service that uses each (as on Kubernetes). */
const SECRET_OWNERS: Readonly<Record<string, string>> = {
  STRIPE_SECRET_KEY: 'topup',
  STRIPE_WEBHOOK_SECRET: 'topup',
  ADMIN_BOOTSTRAP_TOKEN: 'admin',
  ALERTING_SMTP_URL: 'alerting',
};

/**
 * The environment infra/dev/run.ts starts a service with: its own (port, principal, token)
 * over what `npm start` was given, less the secrets of other services.
 */
export function serviceEnv(
  name: string,
  env: NodeJS.ProcessEnv,
  own: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  // A service sees its own password only, not the other principals'.
  const shared = Object.fromEntries(
    Object.entries(env).filter(
      ([variable]) =>
        !variable.startsWith('KAFKA_SASL_PASSWORD_') && (SECRET_OWNERS[variable] ?? name) === name,
    ),
  );
  return { ...shared, ...own };
}
