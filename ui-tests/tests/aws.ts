/**
 * What the tests set up or check at the devstack with the real AWS SDK (the
 * project's own packages), as one of its two identities: a model version of
 * their own, or a colleague's concurrent change.
 */
import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  StopPipelineExecutionCommand
} from '@aws-sdk/client-codepipeline';
import {
  CodeCommitClient,
  CreateBranchCommand,
  GetBranchCommand,
  GetFileCommand,
  GetRepositoryCommand,
  PutFileCommand
} from '@aws-sdk/client-codecommit';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageOutput,
  ListModelPackageGroupsCommand,
  SageMakerClient,
  UpdateModelPackageCommand
} from '@aws-sdk/client-sagemaker';
import { fromHttp } from '@aws-sdk/credential-providers';

import { PROJECT, control } from './helpers';

type Identity = 'data-scientist' | 'approver';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: source the devstack env file first`);
  }
  return value;
}

function credentials(identity: Identity) {
  return identity === 'approver'
    ? fromHttp({
        awsContainerCredentialsFullUri: env(
          'DEVSTACK_APPROVER_CREDENTIALS_URI'
        ),
        awsContainerAuthorizationToken: env(
          'DEVSTACK_APPROVER_AUTHORIZATION_TOKEN'
        )
      })
    : fromHttp({
        awsContainerCredentialsFullUri: env(
          'AWS_CONTAINER_CREDENTIALS_FULL_URI'
        ),
        awsContainerAuthorizationToken: env('AWS_CONTAINER_AUTHORIZATION_TOKEN')
      });
}

function sagemaker(identity: Identity = 'data-scientist'): SageMakerClient {
  return new SageMakerClient({
    region: env('AWS_REGION'),
    endpoint: env('AWS_ENDPOINT_URL'),
    credentials: credentials(identity),
    maxAttempts: 2
  });
}

/** The project's own model package group (`<project>-<id>`). */
export async function projectGroup(): Promise<string> {
  const out = await sagemaker().send(
    new ListModelPackageGroupsCommand({ NameContains: PROJECT, MaxResults: 50 })
  );
  const name = (out.ModelPackageGroupSummaryList ?? [])
    .map(g => g.ModelPackageGroupName ?? '')
    .find(n => /^customer-churn-p-[a-z0-9]+$/.test(n));
  if (!name) {
    throw new Error('the project has no model package group');
  }
  return name;
}

export interface INewVersion {
  arn: string;
  version: number;
  group: string;
}

/**
 * A new PendingManualApproval version of the project's group, registered as a
 * pipeline's role would (by the data scientist here), with its own evaluation
 * report in the project's bucket.
 */
export async function registerVersion(
  options: {
    description?: string;
    metadata?: Record<string, string>;
    metrics?: Record<string, number>;
  } = {}
): Promise<INewVersion> {
  const group = await projectGroup();
  const { accountId } = await control('/health');
  const bucket = `${PROJECT}-${accountId}`;
  const key = `evaluation/galata-${Date.now().toString(36)}-${Math.random()
    .toString(36)
    .slice(2)}/evaluation.json`;
  const metrics = options.metrics ?? { accuracy: 0.97, auc: 0.71 };
  const s3 = new S3Client({
    region: env('AWS_REGION'),
    endpoint: env('AWS_ENDPOINT_URL'),
    forcePathStyle: true,
    credentials: credentials('data-scientist')
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ContentType: 'application/json',
      Body: JSON.stringify({
        binary_classification_metrics: Object.fromEntries(
          Object.entries(metrics).map(([k, v]) => [
            k,
            { value: v, standard_deviation: 0.01 }
          ])
        )
      })
    })
  );
  const region = env('AWS_REGION');
  const out = await sagemaker().send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelPackageDescription:
        options.description ?? 'registered by the Galata tests',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: `${accountId}.dkr.ecr.${region}.amazonaws.com/${PROJECT}-repository-inference:galata`,
            ModelDataUrl: `s3://${bucket}/models/galata/model.tar.gz`
          }
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv']
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: `s3://${bucket}/${key}`
          }
        }
      },
      CustomerMetadataProperties: options.metadata ?? { source: 'galata' }
    })
  );
  const arn = out.ModelPackageArn as string;
  return { arn, group, version: Number(arn.split('/').pop()) };
}

export async function describeVersion(
  arn: string
): Promise<DescribeModelPackageOutput> {
  return sagemaker().send(
    new DescribeModelPackageCommand({ ModelPackageName: arn })
  );
}

/** A colleague (another approver) decides on a version meanwhile. */
export async function decideAsColleague(
  arn: string,
  status: 'Approved' | 'Rejected',
  comment: string
): Promise<void> {
  await sagemaker('approver').send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: status,
      ApprovalDescription: comment
    })
  );
}

/**
 * Stop (abandoning their actions) every execution of the deploy pipeline still
 * in progress, as an approver would clear stale deployments: a test's own
 * deployment then reaches the manual approval without waiting behind another.
 */
export async function stopRunningDeployments(
  pipelineName: string
): Promise<void> {
  const client = new CodePipelineClient({
    region: env('AWS_REGION'),
    endpoint: env('AWS_ENDPOINT_URL'),
    credentials: credentials('approver'),
    maxAttempts: 2
  });
  const out = await client.send(
    new ListPipelineExecutionsCommand({ pipelineName, maxResults: 100 })
  );
  for (const e of out.pipelineExecutionSummaries ?? []) {
    if (e.status === 'InProgress' && e.pipelineExecutionId) {
      await client.send(
        new StopPipelineExecutionCommand({
          pipelineName,
          pipelineExecutionId: e.pipelineExecutionId,
          abandon: true,
          reason: 'Cleared by the Galata tests'
        })
      );
    }
  }
}

/** The seeded project's CodeCommit repository. */
export const CONFIG_REPOSITORY = `${PROJECT}-project-repo`;

function codecommit(identity: Identity = 'data-scientist'): CodeCommitClient {
  return new CodeCommitClient({
    region: env('AWS_REGION'),
    endpoint: env('AWS_ENDPOINT_URL'),
    credentials: credentials(identity),
    maxAttempts: 2
  });
}

/** A branch of the test's own, made from `dev`'s head; its name and that head. */
export async function configBranch(
  name: string
): Promise<{ branch: string; commitId: string }> {
  const client = codecommit();
  const dev = await client.send(
    new GetBranchCommand({
      repositoryName: CONFIG_REPOSITORY,
      branchName: 'dev'
    })
  );
  const commitId = dev.branch!.commitId!;
  await client.send(
    new CreateBranchCommand({
      repositoryName: CONFIG_REPOSITORY,
      branchName: name,
      commitId
    })
  );
  return { branch: name, commitId };
}

/** A file of the repository at a branch or commit. */
export async function configFile(
  commitSpecifier: string,
  path = 'model_config.yaml'
): Promise<string> {
  const out = await codecommit().send(
    new GetFileCommand({
      repositoryName: CONFIG_REPOSITORY,
      commitSpecifier,
      filePath: path
    })
  );
  return new TextDecoder().decode(out.fileContent);
}

/** A colleague commits a change of the file to the branch, as CodeCommit's PutFile does. */
export async function commitAsColleague(
  branch: string,
  edit: (text: string) => string,
  path = 'model_config.yaml'
): Promise<string> {
  const client = codecommit();
  const head = await client.send(
    new GetBranchCommand({
      repositoryName: CONFIG_REPOSITORY,
      branchName: branch
    })
  );
  const text = await configFile(head.branch!.commitId!, path);
  const out = await client.send(
    new PutFileCommand({
      repositoryName: CONFIG_REPOSITORY,
      branchName: branch,
      filePath: path,
      parentCommitId: head.branch!.commitId!,
      fileContent: new TextEncoder().encode(edit(text)),
      commitMessage: 'A colleague changes the configuration',
      name: 'A Colleague',
      email: 'colleague@example.com'
    })
  );
  return out.commitId!;
}

/** Where `git clone` reaches the repository (the devstack's real git repository). */
export async function cloneUrl(): Promise<string> {
  const out = await codecommit().send(
    new GetRepositoryCommand({ repositoryName: CONFIG_REPOSITORY })
  );
  return out.repositoryMetadata!.cloneUrlHttp!;
}
