export default async function integrationGlobalTeardown(): Promise<void> {
  await globalThis.tallyTestInfrastructure?.stop();
}
