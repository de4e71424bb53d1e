import { existsSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AdminConfig } from './config/admin.config';
import { installAdminEdge } from './http/admin-edge';
import { TokensService } from './tokens/tokens.service';

/**
 * What admin adds to its Nest app before it listens: the HTTP edge (security headers, bearer
 * tokens before bodies, rate limits, body size), the OpenAPI description at /docs and
 * /docs-json, and the dashboard's files at /.
 */
export async function prepareAdminHttp(app: INestApplication, config: AdminConfig): Promise<void> {
  const fastifyApp = app as NestFastifyApplication;
  const tokens = app.get(TokensService);
  await installAdminEdge(fastifyApp, config.http, (token) => tokens.verify(token));
  describeApi(app);
  serveDashboard(fastifyApp, config.dashboardDir);
  await app.init();
}

function describeApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tally admin API')
      .setDescription(
        'Accounts, API keys, budgets, credit, transactions, usage, alerts, top-ups and analytics. ' +
          'Every /v1 route needs `Authorization: Bearer <token>`; errors answer `{ error_code, message }`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

function serveDashboard(app: NestFastifyApplication, dashboardDir: string): void {
  if (!existsSync(path.join(dashboardDir, 'index.html'))) {
    new Logger('admin').warn(
      `no dashboard build in ${dashboardDir} (npx nx build dashboard): GET / answers 404`,
    );
    return;
  }
  app.useStaticAssets({ root: dashboardDir, prefix: '/', decorateReply: false });
}
