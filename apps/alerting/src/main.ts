import 'reflect-metadata';
import { configFromEnv, runService } from '@tally/platform';
import { startAlertingCommands } from './alerting.app';
import { alertingConfigFromEnv } from './config/alerting.config';
import { AlertingModule } from './alerting.module';

const config = configFromEnv('alerting', () => alertingConfigFromEnv());
runService(AlertingModule.forRoot(config), config.port, 'alerting', (app) =>
  startAlertingCommands(app, config),
);
