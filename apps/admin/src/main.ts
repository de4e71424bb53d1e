import 'reflect-metadata';
import { runService } from '@tally/platform';
import { prepareAdminHttp } from './admin.app';
import { AdminModule } from './admin.module';
import { adminConfigFromEnv } from './config/admin.config';

const config = adminConfigFromEnv();
runService(AdminModule.forRoot(config), config.port, 'admin', (app) =>
  prepareAdminHttp(app, config),
);
