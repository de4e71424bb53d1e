import 'reflect-metadata';
import { runService } from '@tally/platform';
import { startAlertingCommands } from './alerting.app';
import { alertingConfigFromEnv } from './config/alerting.config';
import { AlertingModule } from './alerting.module';

const config = alertingConfigFromEnv();
runService(AlertingModule.forRoot(config), config.port, 'alerting', (app) =>
  startAlertingCommands(app, config),
);
