import 'reflect-metadata';
import { runService } from '@tally/platform';
import { meteringConfigFromEnv } from './config/metering.config';
import { MeteringModule } from './metering.module';

const config = meteringConfigFromEnv();
runService(MeteringModule.forRoot(config), config.port, 'metering');
