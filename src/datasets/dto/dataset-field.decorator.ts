import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Longest dataset reference a spec accepts (builtin names and dataset UUIDs are shorter). */
export const DATASET_REF_MAX_LENGTH = 64;

/**
 * The `dataset` field of a job spec: a builtin dataset name or the id of an uploaded dataset, as a string of
 * 1..64 characters. Whether it names a known dataset the team may use is checked when the job is created.
 */
export function DatasetField(docs: { description: string; example: string }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description: docs.description, example: docs.example, minLength: 1, maxLength: DATASET_REF_MAX_LENGTH }),
    IsString(),
    MinLength(1),
    MaxLength(DATASET_REF_MAX_LENGTH),
  );
}
