/**
 * @stackfeed/aws-imagebuilder: EC2 Image Builder lifecycle executions, image builds and workflow
 * steps as stackfeed `ExecutionInfo`, `ImageInfo` and `StackEvent`, over @aws-sdk/client-imagebuilder.
 * @packageDocumentation
 */
export {
  ImageBuilderClient,
  type ImageBuilderClientOptions,
  type ImageBuilderListImagesOptions,
  type ImageBuilderRef,
  type ImageBuilderRefKind,
  type ImageBuilderStackRef,
  type ListImageBuildVersionsOptions,
  type LifecycleEventOptions,
  type EventListOptions,
} from './client.js';
export { toStackfeedError } from './errors.js';
export {
  LIFECYCLE_EXECUTION_STATES,
  LIFECYCLE_TERMINAL,
  LIFECYCLE_RESOURCE_PHASES,
  LIFECYCLE_ACTIONS,
  IMAGE_STATES_TABLE,
  IMAGE_TERMINAL,
  WORKFLOW_EXECUTION_STATES,
  WORKFLOW_EVENT_PHASES,
  WORKFLOW_STEP_PHASES,
  WORKFLOW_STEP_ROLLBACK_PHASES,
  WORKFLOW_TYPE_ACTIONS,
  RESOURCE_TYPES,
} from './mapping/tables.js';
