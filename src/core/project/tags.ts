/** Project tags of the platform's resources. No AWS SDK import. */

/** The project a resource belongs to, from the platform's tags (SageMaker's or CloudFormation's). */
export function projectFromTags(tags: Record<string, string>): {
  name?: string;
  id?: string;
} {
  return {
    name: tags['sagemaker:project-name'] ?? tags['SageMakerProjectName'],
    id: tags['sagemaker:project-id'] ?? tags['SageMakerProjectId']
  };
}
