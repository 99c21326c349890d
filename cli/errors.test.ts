import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ResourcePathError } from '../client/resource-files.ts';
import { ResourceError } from '../client/resources.ts';
import { serviceError } from '../client/unary.ts';
import { invalidArgument } from '../common/errors.ts';
import { explainError } from './errors.ts';
import { CommandError, UsageError } from './io.ts';

const ADDR = '127.0.0.1:7070';

describe('explainError', () => {
  const cases: Array<{ name: string; error: unknown; message: string; exitCode: number }> = [
    {
      name: 'a refused connection',
      error: serviceError(
        grpc.status.UNAVAILABLE,
        'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7070',
      ),
      message: 'wharf: cannot reach 127.0.0.1:7070: is `npm start` running?',
      exitCode: 1,
    },
    {
      name: 'UNAVAILABLE from the broker itself (no quorum)',
      error: serviceError(grpc.status.UNAVAILABLE, 'no quorum for default/orders; retry with the same dedup_id'),
      message: 'wharf: UNAVAILABLE: no quorum for default/orders; retry with the same dedup_id',
      exitCode: 1,
    },
    {
      name: 'a gRPC status with details',
      error: serviceError(grpc.status.NOT_FOUND, 'no such destination default/foo'),
      message: 'wharf: NOT_FOUND: no such destination default/foo',
      exitCode: 1,
    },
    {
      name: 'a bare deadline',
      error: serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      message: 'wharf: DEADLINE_EXCEEDED: no answer from 127.0.0.1:7070 in time',
      exitCode: 1,
    },
    {
      name: 'invalid resource files, one line per problem',
      error: new ResourceError([
        { source: { file: 'q.yaml', document: 2 }, path: 'spec.ackDeadline', message: '"30 s" is not a duration' },
        { source: { file: 'q.yaml', document: 3 }, path: '', message: 'invalid YAML: x' },
      ]),
      message: 'q.yaml doc 2: spec.ackDeadline: "30 s" is not a duration\nq.yaml doc 3: invalid YAML: x',
      exitCode: 1,
    },
    {
      name: 'a missing path',
      error: new ResourcePathError('nope.yaml: no such file or directory'),
      message: 'wharf: nope.yaml: no such file or directory',
      exitCode: 1,
    },
    {
      name: 'a usage error',
      error: new UsageError('--max: "x" is not a whole number'),
      message: 'wharf: --max: "x" is not a whole number',
      exitCode: 2,
    },
    { name: 'a command error', error: new CommandError('port in use'), message: 'wharf: port in use', exitCode: 1 },
    {
      name: 'a local WharfError',
      error: invalidArgument('destination "A" is bad'),
      message: 'wharf: INVALID_ARGUMENT: destination "A" is bad',
      exitCode: 1,
    },
    { name: 'anything else', error: new Error('boom'), message: 'wharf: boom', exitCode: 1 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(explainError(testCase.error, ADDR)).toEqual({ message: testCase.message, exitCode: testCase.exitCode });
    });
  }
});
