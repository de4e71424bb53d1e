/** A service's `GET /metrics` (Prometheus text) as sample (name with labels) → value. */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await (await fetch(`${baseUrl}/metrics`)).text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}
