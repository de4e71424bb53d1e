import 'reflect-metadata';
import { configFromEnv, runService } from '@tally/platform';
import { prepareAdminHttp } from './admin.app';
import { AdminModule } from './admin.module';
import { adminConfigFromEnv } from './config/admin.config';
import { ADMIN_EDGE } from './http/admin-edge';

const config = configFromEnv('admin', () => adminConfigFromEnv());
runService(
  AdminModule.forRoot(config),
  config.port,
  'admin',
  (app) => prepareAdminHttp(app, config),
  ADMIN_EDGE,
);
