import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/**
 * With TALLY_CPU_PROFILE=<directory>, records a V8 CPU profile of the whole process and writes
 * `<service>-<pid>.cpuprofile` there when the process is asked to stop (SIGTERM or SIGINT),
 * before the shutdown hooks run. Open it in Chrome DevTools or speedscope. (`node --cpu-prof`
 * cannot do this: it writes only on a normal exit, and Nest re-raises the stop signal.)
 *
 * With TALLY_HEAP_PROFILE=1 as well, it also writes `<service>-<pid>.heapprofile`: where the
 * objects that outlived the young generation were allocated (those a major GC collected
 * included), which is what makes scavenges slow and the old generation grow. With
 * TALLY_HEAP_PROFILE=all, where everything was allocated, which is what makes scavenges often.
 */
export function profileCpuIfAsked(service: string, env: NodeJS.ProcessEnv = process.env): void {
  const directory = env['TALLY_CPU_PROFILE'];
  if (!directory) return;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const heap = env['TALLY_HEAP_PROFILE'];
  if (heap) {
    session.post('HeapProfiler.enable');
    // Node's typings lack the two include flags; V8 accepts them.
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: heap === 'all',
    } as never);
  }
  const write = () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        writeFileSync(
          path.join(directory, `${service}-${process.pid}.cpuprofile`),
          JSON.stringify(result.profile),
        );
    });
    if (heap) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error)
          writeFileSync(
            path.join(directory, `${service}-${process.pid}.heapprofile`),
            JSON.stringify(result.profile),
          );
      });
    }
  };
  process.prependOnceListener('SIGTERM', write);
  process.prependOnceListener('SIGINT', write);
}
