import { Body, Param, Query, applyDecorators } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { describeIssue } from '@tally/budget-domain';
import { ValidationException, ValidationExceptionCode } from './validation.exception';

/**
 * Request shapes are zod schemas: one definition validates a request and documents it in the
 * OpenAPI description, so the two cannot drift apart.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    /** What is checked, as the refusal names it: `body`, `query` or a path parameter's name. */
    private readonly where: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? (this.where === 'query' ? {} : undefined));
    if (!parsed.success) {
      throw new ValidationException(
        ValidationExceptionCode.VALIDATION_FAILED,
        `${this.where}: ${describeIssue(parsed.error)}`,
      );
    }
    return parsed.data;
  }
}

/** The body, validated by `schema` (and documented by `BodyOf`). */
export const ValidBody = (schema: z.ZodType) => Body(new ZodPipe(schema, 'body'));

/** The query string, validated by `schema` (and documented by `QueryOf`). */
export const ValidQuery = (schema: z.ZodType) => Query(new ZodPipe(schema, 'query'));

/** A path parameter, validated by `schema`, so a value no command takes is 422 here. */
export const ValidParam = (name: string, schema: z.ZodType) =>
  Param(name, new ZodPipe(schema, name));

export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });
  delete (json as { $schema?: unknown }).$schema;
  return json as SchemaObject;
}

export const BodyOf = (schema: z.ZodType) => ApiBody({ schema: openApiSchema(schema) });

/** Documents each field of a query schema as a query parameter. */
export function QueryOf(schema: z.ZodObject) {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({
        name,
        required: !(field as z.ZodType).safeParse(undefined).success,
        schema: openApiSchema(field as z.ZodType),
      }),
    ),
  );
}

/** Documents a success answer by its zod schema. */
export const Answers = (status: number, schema: z.ZodType, description = 'OK') =>
  ApiResponse({ status, description, schema: openApiSchema(schema, 'output') });
