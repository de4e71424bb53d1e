// kafkajs' per-connection request queue, which patches/kafkajs+2.2.4.patch stops from checking
// an empty queue every millisecond (tulios/kafkajs#1556): these tests hold it to staying
// quiet when idle and to still sending what waits behind the in-flight limit or a throttle.
interface RequestQueue {
  readonly throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: {
    entry: {
      correlationId: number;
      apiKey: number;
      apiName: string;
      apiVersion: number;
      resolve: () => void;
      reject: () => void;
    };
    expectResponse: boolean;
    sendRequest: () => void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  checkPendingRequests(): void;
  maybeThrottle(milliseconds: number): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kafkajs' request queue (patched)", () => {
  const queues: RequestQueue[] = [];
  const queue = (maxInFlightRequests: number | null = null) => {
    const created = new RequestQueue({
      maxInFlightRequests,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'test',
      broker: '127.0.0.1:9092',
      logger: quiet,
    });
    queues.push(created);
    return created;
  };
  /** Pushes a request expecting a response; the returned array records when it was sent. */
  const push = (target: RequestQueue, correlationId: number, sent: number[]) =>
    target.push({
      entry: {
        correlationId,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => undefined,
        reject: () => undefined,
      },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
  afterEach(() => queues.splice(0).forEach((created) => created.destroy()));

  it('schedules nothing once every request is answered: an idle connection costs no timer', async () => {
    const target = queue();
    const checks = jest.spyOn(target, 'checkPendingRequests');
    const sent: number[] = [];
    push(target, 1, sent);
    target.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1]);
    expect(target.throttleCheckTimeoutId).toBeNull();
    await sleep(50);
    // Unpatched, the queue checked itself again every millisecond, forever.
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('sends a request that waited behind the in-flight limit when the one before is answered', () => {
    const target = queue(1);
    const sent: number[] = [];
    push(target, 1, sent);
    push(target, 2, sent);
    expect(sent).toEqual([1]);
    target.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
  });

  it('sends a request pushed while the broker throttles once the throttle ends', async () => {
    const target = queue();
    const sent: number[] = [];
    target.maybeThrottle(30);
    push(target, 1, sent);
    expect(sent).toEqual([]);
    await sleep(80);
    expect(sent).toEqual([1]);
    target.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(target.throttleCheckTimeoutId).toBeNull();
  });
});
