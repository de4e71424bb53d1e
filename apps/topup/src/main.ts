import 'reflect-metadata';
import { configFromEnv, runService } from '@tally/platform';
import { topUpConfigFromEnv } from './config/topup.config';
import { startTopUp } from './topup.app';
import { TopUpModule } from './topup.module';

const config = configFromEnv('topup', () => topUpConfigFromEnv());
runService(TopUpModule.forRoot(config), config.port, 'topup', (app) => startTopUp(app, config));
