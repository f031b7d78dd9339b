import type { HttpResponse } from '@stackfeed/core/adapter';
import { StackfeedError } from '@stackfeed/core';
import { verifySigV4 } from '@stackfeed/emulator/parallelcluster';
import { describe, expect, it } from 'vitest';
import { ParallelClusterClient, fromAwsError, parseApiError, regionFromApiHost, sigv4AuthHook } from '../src/index.js';

describe('regionFromApiHost', () => {
  it.each([
    ['abc123.execute-api.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['abc123-vpce-0123456789abcdef0.execute-api.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['x1y2.execute-api.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['api.example.com', undefined],
    ['127.0.0.1', undefined],
    ['abc.execute-api.eu-west-1.amazonaws.com.evil.com', undefined],
  ])('%s → %s', (host, region) => {
    expect(regionFromApiHost(host)).toBe(region);
  });

  it('signs for the host’s region, not the region query parameter', async () => {
    const hook = sigv4AuthHook({
      region: regionFromApiHost('abc123.execute-api.eu-west-1.amazonaws.com') as string,
      credentials: async () => ({ accessKeyId: 'AKIDX', secretAccessKey: 's' }),
    });
    const req = {
      method: 'GET' as const,
      url: new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v3/clusters?region=us-east-1'),
      headers: { accept: 'application/json' } as Record<string, string>,
      body: undefined,
    };
    await hook.sign(req, {});
    expect(req.headers.authorization).toMatch(/Credential=AKIDX\/\d{8}\/eu-west-1\/execute-api\/aws4_request/);
  });

  it('a client on a custom domain needs a signing region', () => {
    const env = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(() => new ParallelClusterClient({ apiUrl: 'https://pcluster.example.com' })).toThrow(/signing region/);
      expect(
        new ParallelClusterClient({ apiUrl: 'https://pcluster.example.com', signingRegion: 'eu-west-1' }).mode,
      ).toBe('api');
      expect(() => new ParallelClusterClient({ apiUrl: 'not a url' })).toThrow(StackfeedError);
      expect(() => new ParallelClusterClient({} as never)).toThrow(/apiUrl/);
    } finally {
      if (env.r !== undefined) process.env.AWS_REGION = env.r;
      if (env.d !== undefined) process.env.AWS_DEFAULT_REGION = env.d;
    }
  });
});

describe('argument checks (before any request)', () => {
  const c = new ParallelClusterClient({
    apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  it('rejects bad list arguments with CONFIG / BAD_REQUEST errors', () => {
    expect(() => c.listImages({ status: [] })).toThrow(/at least one/);
    expect(() => c.listImages({ status: 'DONE' as never })).toThrow(/not one of/);
    expect(() => c.listImageLogEvents('img', '')).toThrow(/logStreamName/);
    expect(() => new ParallelClusterClient({ mode: 'sideways' } as never)).toThrow(/mode/);
  });
  it('async calls reject (not throw) on a bad name, with CONFIG', async () => {
    await expect(c.describeCluster('-bad')).rejects.toMatchObject({ code: 'CONFIG', operation: 'describeCluster' });
    await expect(c.describeImage('a')).rejects.toMatchObject({ code: 'CONFIG', operation: 'describeImage' });
  });
});

describe('SigV4 round trip with the emulator’s verifier (same library)', () => {
  const creds = { accessKeyId: 'AKIDROUNDTRIP', secretAccessKey: 'roundtrip-secret', sessionToken: 'tok' };
  async function signed(url: string) {
    const u = new URL(url);
    const req = {
      method: 'GET' as const,
      url: u,
      headers: { accept: 'application/json' } as Record<string, string>,
      body: undefined,
    };
    await sigv4AuthHook({ region: 'eu-west-1', credentials: async () => creds }).sign(req, {});
    return {
      method: 'GET',
      url: u,
      rawPath: u.pathname,
      rawQuery: u.search.slice(1),
      headers: { ...req.headers, host: u.host } as Record<string, string>,
      body: '',
      params: {},
    };
  }
  it('verifies a path with an encoded "/" and repeated query keys; rejects any tampering', async () => {
    const r = await signed(
      'http://127.0.0.1:8080/prod/v3/images/custom/img/logstreams/3.12.0%2F1?clusterStatus=A&clusterStatus=B&x=a%20b',
    );
    expect(r.headers['x-amz-security-token']).toBe('tok');
    await expect(verifySigV4(r, { credentials: [creds], region: 'eu-west-1' })).resolves.toBe('AKIDROUNDTRIP');
    await expect(
      verifySigV4(
        { ...r, rawPath: '/prod/v3/images/custom/img/logstreams/3.12.0/1' },
        { credentials: [creds], region: 'eu-west-1' },
      ),
    ).rejects.toThrow(/signature we calculated/);
    await expect(
      verifySigV4(
        { ...r, rawQuery: 'clusterStatus=A&clusterStatus=B&x=a%20c' },
        { credentials: [creds], region: 'eu-west-1' },
      ),
    ).rejects.toThrow(/signature/);
    await expect(verifySigV4(r, { credentials: [creds], region: 'us-east-1' })).rejects.toThrow(/region/);
    await expect(
      verifySigV4({ ...r, headers: { host: r.headers.host } }, { credentials: [creds], region: 'eu-west-1' }),
    ).rejects.toThrow(/Missing Authentication Token/);
  });
});

const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body,
  text: JSON.stringify(body),
  url: 'https://x/prod/v3/clusters',
});

describe('parseApiError', () => {
  it.each([
    [400, { message: 'Bad Request: region needs to be set' }, {}, 'BAD_REQUEST', 'BadRequestException'],
    [401, { message: 'Unauthorized' }, {}, 'UNAUTHORIZED', 'UnauthorizedClientError'],
    [404, { message: 'Cluster x does not exist.' }, {}, 'NOT_FOUND', 'NotFoundException'],
    [409, { message: 'conflict' }, {}, 'CONFLICT', 'ConflictException'],
    [429, { message: 'Too Many Requests' }, {}, 'THROTTLED', 'LimitExceededException'],
    [500, { message: 'boom' }, {}, 'SERVER', 'InternalServiceException'],
    [502, { message: 'Internal server error' }, {}, 'SERVER', 'BadGatewayException'],
    [504, { message: 'Endpoint request timed out' }, {}, 'TIMEOUT', 'GatewayTimeoutException'],
    [
      403,
      { message: 'Missing Authentication Token' },
      { 'x-amzn-errortype': 'MissingAuthenticationTokenException' },
      'UNAUTHORIZED',
      'MissingAuthenticationTokenException',
    ],
    [
      403,
      { message: 'The security token included in the request is expired' },
      { 'x-amzn-errortype': 'ExpiredTokenException' },
      'UNAUTHORIZED',
      'ExpiredTokenException',
    ],
    [
      403,
      {
        Message:
          'User: arn:aws:iam::1:user/x is not authorized to perform: execute-api:Invoke on resource: arn with an explicit deny',
      },
      { 'x-amzn-errortype': 'AccessDeniedException' },
      'FORBIDDEN',
      'AccessDeniedException',
    ],
    [403, { message: 'Forbidden' }, {}, 'FORBIDDEN', undefined],
  ])('%i %j → %s', (status, body, headers, code, providerCode) => {
    const info = parseApiError(res(status, body, headers));
    expect(info?.code).toBe(code);
    expect(info?.providerCode).toBe(providerCode);
  });
  it('takes the request id from x-amzn-RequestId and a type with a URL suffix', () => {
    const info = parseApiError(
      res(
        403,
        { message: 'x' },
        { 'x-amzn-requestid': 'rid-1', 'x-amzn-errortype': 'InvalidSignatureException:http://internal' },
      ),
    );
    expect(info).toMatchObject({
      requestId: 'rid-1',
      providerCode: 'InvalidSignatureException',
      code: 'UNAUTHORIZED',
      retryable: false,
    });
  });
});

describe('fromAwsError (direct mode)', () => {
  const sdkError = (name: string, message: string, status?: number, fault: 'client' | 'server' = 'client') =>
    Object.assign(new Error(message), {
      name,
      $fault: fault,
      $metadata: { httpStatusCode: status, requestId: 'req-9' },
    });
  it.each([
    [sdkError('ValidationError', 'Stack [x] does not exist', 400), 'NOT_FOUND'],
    [sdkError('ValidationError', 'Template format error', 400), 'BAD_REQUEST'],
    [sdkError('Throttling', 'Rate exceeded', 400), 'THROTTLED'],
    [sdkError('RequestLimitExceeded', 'Request limit exceeded.', 503, 'server'), 'THROTTLED'],
    [sdkError('ThrottlingException', 'slow down', 400), 'THROTTLED'],
    [sdkError('ResourceNotFoundException', 'The specified log group does not exist.', 400), 'NOT_FOUND'],
    [sdkError('InvalidAMIID.NotFound', 'nope', 400), 'NOT_FOUND'],
    [sdkError('AccessDenied', 'User is not authorized', 403), 'FORBIDDEN'],
    [sdkError('UnauthorizedOperation', 'nope', 403), 'FORBIDDEN'],
    [sdkError('ExpiredToken', 'expired', 403), 'UNAUTHORIZED'],
    [sdkError('AuthFailure', 'bad', 401), 'UNAUTHORIZED'],
    [sdkError('InternalFailure', 'oops', 500, 'server'), 'SERVER'],
    [sdkError('ServiceUnavailable', 'later', 503, 'server'), 'SERVER'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'NETWORK'],
  ])('%s → %s', (err, code) => {
    const e = fromAwsError(err, 'DescribeStackEvents');
    expect(e.code).toBe(code);
    expect(e.provider).toBe('aws-parallelcluster');
    expect(e.operation).toBe('DescribeStackEvents');
  });
  it('keeps status, provider code and request id; an aborted signal wins', () => {
    const e = fromAwsError(sdkError('Throttling', 'Rate exceeded', 400), 'ListStacks');
    expect(e).toMatchObject({ httpStatus: 400, providerCode: 'Throttling', requestId: 'req-9', retryable: true });
    const ac = new AbortController();
    ac.abort();
    expect(fromAwsError(new Error('whatever'), 'X', ac.signal).code).toBe('ABORTED');
  });
});
