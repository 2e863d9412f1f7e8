/**
 * Pipeline definitions shaped like what the SageMaker Python SDK's `Pipeline.definition()` writes for the
 * platform's model-build pipeline (Preprocess -> Train -> Evaluate -> metric condition -> register / fail),
 * trimmed to the fields that matter here but with the SDK's own nesting and expressions.
 */

const ROLE =
  'arn:aws:iam::111122223333:role/customer-churn-sagemaker-execution';
const IMAGE =
  '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/** `Std:Join` of the execution-scoped S3 prefix, as the SDK writes for outputs. */
const executionPrefix = (suffix: string) => ({
  'Std:Join': {
    On: '/',
    Values: [
      's3:/',
      'customer-churn-111122223333',
      { Get: 'Execution.PipelineExecutionId' },
      suffix
    ]
  }
});

export const BUILD_PIPELINE = {
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [
    {
      Name: 'ProcessingInstanceType',
      Type: 'String',
      DefaultValue: 'ml.m5.xlarge'
    },
    { Name: 'ProcessingInstanceCount', Type: 'Integer', DefaultValue: 1 },
    {
      Name: 'TrainingInstanceType',
      Type: 'String',
      DefaultValue: 'ml.m5.xlarge'
    },
    { Name: 'AccuracyThreshold', Type: 'Float', DefaultValue: 0.8 },
    { Name: 'EnableBiasCheck', Type: 'Boolean', DefaultValue: false },
    {
      Name: 'ModelApprovalStatus',
      Type: 'String',
      DefaultValue: 'PendingManualApproval',
      EnumValues: ['Approved', 'Rejected', 'PendingManualApproval']
    },
    { Name: 'InputDataUrl', Type: 'String' }
  ],
  PipelineExperimentConfig: {
    ExperimentName: { Get: 'Execution.PipelineName' },
    TrialName: { Get: 'Execution.PipelineExecutionId' }
  },
  Steps: [
    {
      Name: 'Preprocess',
      Type: 'Processing',
      Arguments: {
        ProcessingResources: {
          ClusterConfig: {
            InstanceType: { Get: 'Parameters.ProcessingInstanceType' },
            InstanceCount: { Get: 'Parameters.ProcessingInstanceCount' },
            VolumeSizeInGB: 30
          }
        },
        AppSpecification: {
          ImageUri: IMAGE,
          ContainerEntrypoint: [
            'python3',
            '/opt/ml/processing/input/code/preprocess.py'
          ]
        },
        RoleArn: ROLE,
        ProcessingInputs: [
          {
            InputName: 'input-1',
            AppManaged: false,
            S3Input: {
              S3Uri: { Get: 'Parameters.InputDataUrl' },
              LocalPath: '/opt/ml/processing/input',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File'
            }
          }
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'train',
              AppManaged: false,
              S3Output: {
                S3Uri: executionPrefix('train'),
                LocalPath: '/opt/ml/processing/train',
                S3UploadMode: 'EndOfJob'
              }
            },
            {
              OutputName: 'test',
              AppManaged: false,
              S3Output: {
                S3Uri: executionPrefix('test'),
                LocalPath: '/opt/ml/processing/test',
                S3UploadMode: 'EndOfJob'
              }
            }
          ]
        }
      }
    },
    {
      Name: 'Train',
      Type: 'Training',
      DisplayName: 'Train the churn model',
      Arguments: {
        AlgorithmSpecification: {
          TrainingImage: IMAGE,
          TrainingInputMode: 'File'
        },
        OutputDataConfig: { S3OutputPath: executionPrefix('model') },
        StoppingCondition: { MaxRuntimeInSeconds: 86400 },
        ResourceConfig: {
          VolumeSizeInGB: 30,
          InstanceCount: 1,
          InstanceType: { Get: 'Parameters.TrainingInstanceType' }
        },
        RoleArn: ROLE,
        InputDataConfig: [
          {
            DataSource: {
              S3DataSource: {
                S3DataType: 'S3Prefix',
                S3Uri: {
                  Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                },
                S3DataDistributionType: 'FullyReplicated'
              }
            },
            ContentType: 'text/csv',
            ChannelName: 'train'
          }
        ]
      }
    },
    {
      Name: 'Evaluate',
      Type: 'Processing',
      Arguments: {
        ProcessingResources: {
          ClusterConfig: {
            InstanceType: { Get: 'Parameters.ProcessingInstanceType' },
            InstanceCount: 1,
            VolumeSizeInGB: 30
          }
        },
        AppSpecification: {
          ImageUri: IMAGE,
          ContainerEntrypoint: [
            'python3',
            '/opt/ml/processing/input/code/evaluate.py'
          ]
        },
        RoleArn: ROLE,
        ProcessingInputs: [
          {
            InputName: 'input-1',
            AppManaged: false,
            S3Input: {
              S3Uri: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
              LocalPath: '/opt/ml/processing/model',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File'
            }
          },
          {
            InputName: 'input-2',
            AppManaged: false,
            S3Input: {
              S3Uri: {
                Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"
              },
              LocalPath: '/opt/ml/processing/test',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File'
            }
          }
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              AppManaged: false,
              S3Output: {
                S3Uri: executionPrefix('evaluation'),
                LocalPath: '/opt/ml/processing/evaluation',
                S3UploadMode: 'EndOfJob'
              }
            }
          ]
        }
      },
      PropertyFiles: [
        {
          PropertyFileName: 'EvaluationReport',
          OutputName: 'evaluation',
          FilePath: 'evaluation.json'
        }
      ]
    },
    {
      Name: 'CheckAccuracy',
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            Type: 'GreaterThanOrEqualTo',
            LeftValue: {
              'Std:JsonGet': {
                PropertyFile: {
                  Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport'
                },
                Path: 'binary_classification_metrics.accuracy.value'
              }
            },
            RightValue: { Get: 'Parameters.AccuracyThreshold' }
          }
        ],
        IfSteps: [
          {
            Name: 'RegisterModel-RegisterModel',
            Type: 'RegisterModel',
            Arguments: {
              ModelPackageGroupName: 'customer-churn-p-abcdef123456',
              ModelMetrics: {
                ModelQuality: {
                  Statistics: {
                    ContentType: 'application/json',
                    S3Uri: executionPrefix('evaluation/evaluation.json')
                  }
                }
              },
              InferenceSpecification: {
                Containers: [
                  {
                    Image: IMAGE,
                    ModelDataUrl: {
                      Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts'
                    }
                  }
                ],
                SupportedContentTypes: ['text/csv'],
                SupportedResponseMIMETypes: ['text/csv']
              },
              ModelApprovalStatus: { Get: 'Parameters.ModelApprovalStatus' }
            }
          }
        ],
        ElseSteps: [
          {
            Name: 'AccuracyTooLow',
            Type: 'Fail',
            Arguments: {
              ErrorMessage: {
                'Std:Join': {
                  On: ' ',
                  Values: [
                    'Accuracy below',
                    { Get: 'Parameters.AccuracyThreshold' }
                  ]
                }
              }
            }
          }
        ]
      }
    }
  ]
};

/**
 * Older SDK output: `Std:JsonGet` names the property file instead of referring to it, a Lambda step
 * ordered by `DependsOn` only, and a step nested two conditions deep.
 */
export const LEGACY_PIPELINE = {
  Version: '2020-12-01',
  Parameters: [],
  Steps: [
    {
      Name: 'Evaluate',
      Type: 'Processing',
      Arguments: {},
      PropertyFiles: [
        {
          PropertyFileName: 'Report',
          OutputName: 'evaluation',
          FilePath: 'evaluation.json'
        }
      ]
    },
    {
      Name: 'Gate',
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            Type: 'GreaterThan',
            LeftValue: {
              'Std:JsonGet': { PropertyFile: 'Report', Path: 'auc' }
            },
            RightValue: 0.7
          }
        ],
        IfSteps: [
          {
            Name: 'Notify',
            Type: 'Lambda',
            DependsOn: ['Evaluate'],
            Arguments: {},
            FunctionArn:
              'arn:aws:lambda:us-east-1:111122223333:function:notify-team'
          },
          {
            Name: 'Inner',
            Type: 'Condition',
            Arguments: {
              Conditions: [],
              IfSteps: [{ Name: 'Deep', Type: 'Processing', Arguments: {} }],
              ElseSteps: []
            }
          }
        ],
        ElseSteps: []
      }
    }
  ]
};
