import 'reflect-metadata';
import { runService } from '@tally/platform';
import { topUpConfigFromEnv } from './config/topup.config';
import { startTopUp } from './topup.app';
import { TopUpModule } from './topup.module';

const config = topUpConfigFromEnv();
runService(TopUpModule.forRoot(config), config.port, 'topup', (app) => startTopUp(app, config));
