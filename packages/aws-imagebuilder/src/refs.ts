/**
 * What an Image Builder ref names. A string ref is read by its form: `lce-…` a lifecycle
 * execution, `wf-…` a workflow execution, `arn:…:image/<name>/<x.y.z>/<n>` an image build version;
 * anything else is CONFIG (never guessed).
 */
import { StackfeedError } from '@stackfeed/core';
import { PROVIDER } from './api.js';

/** @internal */
export interface ImageBuilderRef {
  kind: 'image-build' | 'lifecycle-execution' | 'workflow-execution';
  id: string;
}

export const IMAGE_BUILD_ARN = /^arn:aws[^:]*:imagebuilder:[^:]*:[^:]*:image\/.+\/\d+$/;
const LCE = /^lce-/;
const WF = /^wf-/;

/** @internal The kind of `ref`, or CONFIG naming what was expected. */
export function resolveRef(ref: unknown, operation: string): ImageBuilderRef {
  if (typeof ref === 'string') {
    if (LCE.test(ref)) return { kind: 'lifecycle-execution', id: ref };
    if (WF.test(ref)) return { kind: 'workflow-execution', id: ref };
    if (IMAGE_BUILD_ARN.test(ref)) return { kind: 'image-build', id: ref };
  }
  throw new StackfeedError({
    code: 'CONFIG',
    provider: PROVIDER,
    operation,
    message: `${operation}: expected a lifecycle execution id (lce-…), a workflow execution id (wf-…) or an image build version ARN, got ${JSON.stringify(String(ref)).slice(0, 120)}`,
  });
}
