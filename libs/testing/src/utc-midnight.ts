const DAY_MS = 86_400_000;

/**
 * A test that names UTC days or months when it sends usage and again when it reads the
 * figures minutes later waits, if started just before midnight UTC, for the new day.
 */
export async function awayFromUtcMidnight(marginMs = 10 * 60_000): Promise<void> {
  const sinceMidnight = Date.now() % DAY_MS;
  if (sinceMidnight > DAY_MS - marginMs) {
    await new Promise((resolve) => setTimeout(resolve, DAY_MS - sinceMidnight + 1000));
  }
}
