import { MESSAGING_MIGRATIONS } from '@tally/messaging';
import { CreateAdmin1764720000100 } from './1764720000100-create-admin.migration';

/** Every migration of admin's schema, in order. */
export const ADMIN_MIGRATIONS = [...MESSAGING_MIGRATIONS, CreateAdmin1764720000100];
