/**
 * The environment infra/dev/run.ts starts a service with: its own (port, principal, token)
 * over what `npm start` was given.
 */
export function serviceEnv(
  _name: string,
  env: NodeJS.ProcessEnv,
  own: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  // A service sees its own password only, not the other principals'.
  const shared = Object.fromEntries(
    Object.entries(env).filter(([variable]) => !variable.startsWith('KAFKA_SASL_PASSWORD_')),
  );
  return { ...shared, ...own };
}
