/** Plain data shared by every capability, normalised from the AWS SDK shapes. Host-agnostic. */

/** A SageMaker project. */
export interface IProject {
  name: string;
  id: string;
  arn?: string;
  status?: string;
  description?: string;
  createdAt?: Date;
}

/** One page of a paginated listing; `nextToken` is undefined on the last page. */
export interface IPage<T> {
  items: T[];
  nextToken?: string;
}
