import {
  ListPipelinesCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';

import {
  JUPYTER_AUTH_MIDDLEWARE_OPTIONS,
  placeholderCredentials,
  jupyterAuthMiddleware
} from '../../lab/transport';

describe('jupyterAuthMiddleware in a real SageMaker client', () => {
  it('runs after the SDK signer, so the request leaving the client carries no AWS signature', async () => {
    const seen: Record<string, string>[] = [];
    const client = new SageMakerClient({
      region: 'us-east-1',
      credentials: placeholderCredentials,
      endpoint: 'http://localhost:8888/sagemaker-mlops/aws/sagemaker',
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: any) => {
          seen.push({
            ...request.headers,
            ':path': request.path,
            ':hostname': request.hostname
          });
          return {
            response: {
              statusCode: 200,
              headers: { 'content-type': 'application/x-amz-json-1.1' },
              body: new Blob(['{"PipelineSummaries":[]}']).stream()
            }
          };
        }
      } as any
    });
    client.middlewareStack.addRelativeTo(
      jupyterAuthMiddleware({ token: 't0k' }),
      JUPYTER_AUTH_MIDDLEWARE_OPTIONS
    );
    const output = await client.send(new ListPipelinesCommand({}));
    expect(output.PipelineSummaries).toEqual([]);
    expect(seen).toHaveLength(1);
    const headers = seen[0];
    expect(headers['authorization']).toBe('token t0k');
    expect(headers['x-amz-target']).toBe('SageMaker.ListPipelines');
    expect(Object.keys(headers).map(h => h.toLowerCase())).not.toContain(
      'x-amz-date'
    );
    expect(headers[':path']).toBe('/sagemaker-mlops/aws/sagemaker/');
    expect(headers[':hostname']).toBe('localhost');
  });
});
