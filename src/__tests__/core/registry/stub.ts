/**
 * Real SDK clients whose requests are answered at the start of the middleware stack: each command's input is
 * recorded and `answer` gives its output (or throws, as a service error would).
 */
import type { IAwsClients } from '../../../core/aws';
import { createNodeClients } from '../../../node/clients';

export interface ISent {
  operation: string;
  input: Record<string, unknown>;
}

export function stubClients(
  answer: (operation: string, input: Record<string, unknown>) => unknown
): { clients: IAwsClients; sent: ISent[] } {
  const clients = createNodeClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1
  });
  const sent: ISent[] = [];
  for (const client of [clients.sagemaker, clients.codepipeline]) {
    (client.middlewareStack as any).add(
      (_next: unknown, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const operation = String(context.commandName ?? '').replace(
            /Command$/,
            ''
          );
          sent.push({ operation, input: args.input });
          return { output: answer(operation, args.input), response: {} };
        },
      { step: 'initialize', name: 'stubAnswer', priority: 'high' }
    );
  }
  return { clients, sent };
}

/** An error shaped as the SDK's service exceptions are. */
export function serviceError(name: string, status = 400): Error {
  const error = new Error(`${name} from the stub`);
  error.name = name;
  (error as any).$metadata = { httpStatusCode: status, requestId: 'req-1' };
  return error;
}
