import { jupyterAuthHeaders, proxyEndpoint } from '../../lab/transport';

describe('proxyEndpoint', () => {
  it('points a service at <baseUrl>sagemaker-mlops/aws/<service>', () => {
    const settings = { baseUrl: 'http://localhost:8888/user/alice/' } as any;
    expect(proxyEndpoint('sagemaker', settings)).toBe(
      'http://localhost:8888/user/alice/sagemaker-mlops/aws/sagemaker'
    );
    expect(proxyEndpoint('codecommit', settings)).toBe(
      'http://localhost:8888/user/alice/sagemaker-mlops/aws/codecommit'
    );
  });
});

describe('jupyterAuthHeaders', () => {
  afterEach(() => {
    document.cookie = '_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('drops every SigV4 header and adds the Jupyter token and XSRF header', () => {
    document.cookie = '_xsrf=abc%7C123';
    const headers = jupyterAuthHeaders(
      {
        Authorization:
          'AWS4-HMAC-SHA256 Credential=signed-by-jupyter-server/...',
        'X-Amz-Date': '20260101T000000Z',
        'x-amz-security-token': 'x',
        'x-amz-content-sha256': 'y',
        'x-amz-target': 'SageMaker.ListPipelines'
      },
      { token: 'secret-token' }
    );
    expect(headers).toEqual({
      authorization: 'token secret-token',
      'x-xsrftoken': 'abc|123',
      'x-amz-target': 'SageMaker.ListPipelines'
    });
  });

  it('sends no Authorization header at all without a token', () => {
    const headers = jupyterAuthHeaders(
      { authorization: 'AWS4-HMAC-SHA256 ...' },
      { token: '' }
    );
    expect(headers).toEqual({});
  });
});
