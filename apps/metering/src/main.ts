import 'reflect-metadata';
import { configFromEnv, runService } from '@tally/platform';
import { meteringConfigFromEnv } from './config/metering.config';
import { MeteringModule } from './metering.module';

const config = configFromEnv('metering', () => meteringConfigFromEnv());
runService(MeteringModule.forRoot(config), config.port, 'metering');
