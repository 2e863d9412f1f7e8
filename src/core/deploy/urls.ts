/** Console links of the deploy CodePipeline (a module of its own: start-up code imports it). */

/** The AWS console page of a CodePipeline execution (opened in the user's own browser). */
export function executionConsoleUrl(
  region: string,
  pipelineName: string,
  executionId: string
): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(
    pipelineName
  )}/executions/${encodeURIComponent(executionId)}/timeline?region=${r}`;
}
