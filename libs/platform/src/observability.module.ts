import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { collectDefaultMetrics } from 'prom-client';
import { ObservabilityController } from './observability.controller';

let defaultMetricsCollected = false;

/** /health and /metrics, the same in every service. */
@Module({
  imports: [TerminusModule],
  controllers: [ObservabilityController],
})
export class ObservabilityModule {
  constructor() {
    if (!defaultMetricsCollected) {
      collectDefaultMetrics();
      defaultMetricsCollected = true;
    }
  }
}
