import { Module } from '@nestjs/common';
import { Commands } from './commands.service';

@Module({ providers: [Commands], exports: [Commands] })
export class CommandsModule {}
