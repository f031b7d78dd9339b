/**
 * Refs: what the list, watch and deployment calls of the client take, and how they are read. An
 * object ref may say its `kind`; otherwise the id's form decides: the service's own id prefixes
 * (`lce-`, `wf-`; the rest of the id is the service's to check) or the model's whole
 * ImageBuildVersionArn pattern. Anything else, an image *version* ARN included, is CONFIG before
 * any request.
 */
import { type StackRef, StackfeedError } from '@stackfeed/core';
import { PROVIDER } from './api.js';

/** What an Image Builder ref names. */
export type ImageBuilderRefKind = 'image-build' | 'lifecycle-execution' | 'workflow-execution';

/**
 * A ref as an object, on core's `StackRef`: `id` is an image build version ARN
 * (`arn:aws:imagebuilder:<region>:<account>:image/<name>/<x.y.z>/<n>`), a lifecycle execution id
 * (`lce-<uuid>`) or a workflow execution id (`wf-<uuid>`). What discover() returns as `ref`. `kind` says which (the id must then
 * have that form); without it the id's form decides. `name` is not used: an image name does not
 * identify one build.
 */
export interface ImageBuilderStackRef extends StackRef {
  /** The build version ARN or the `lce-…` / `wf-…` execution id. */
  id: string;
  /** What `id` names; checked against the id's form (CONFIG when they disagree). */
  kind?: ImageBuilderRefKind | undefined;
}

/** A ref: an id or ARN as a string (its form decides what it names), or an {@link ImageBuilderStackRef}. */
export type ImageBuilderRef = string | ImageBuilderStackRef;

/** @internal A ref once read: its kind and id. */
export interface ResolvedRef {
  kind: ImageBuilderRefKind;
  id: string;
}

const ARN_HEAD =
  'arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image/[a-z0-9-_]+/[0-9]+\\.[0-9]+\\.[0-9]+';
/**
 * The form of each kind's id. Execution ids are known by their prefix only (the model's pattern
 * is `<prefix><uuid>`; a malformed one is the service's BAD_REQUEST, as for the direct calls).
 */
const FORMS: Record<ImageBuilderRefKind, RegExp> = {
  'image-build': new RegExp(`^${ARN_HEAD}/[0-9]+$`),
  'lifecycle-execution': /^lce-./,
  'workflow-execution': /^wf-./,
};
const IMAGE_VERSION_ARN = new RegExp(`^${ARN_HEAD}$`);
const EXPECTED =
  'a lifecycle execution id (lce-…), a workflow execution id (wf-…) or an image build version ARN (arn:…:image/<name>/<x.y.z>/<n>)';

const NAMES: Record<ImageBuilderRefKind, string> = {
  'image-build': 'an image build version ARN',
  'lifecycle-execution': 'a lifecycle execution id',
  'workflow-execution': 'a workflow execution id',
};

const show = (v: unknown) => JSON.stringify(String(v)).slice(0, 120);

function refError(operation: string, message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: PROVIDER, operation, message: `${operation}: ${message}` });
}

/** @internal The kind and id of `ref`, or CONFIG saying what was expected; `allowed` limits the kinds. */
export function resolveRef(
  ref: unknown,
  operation: string,
  allowed: readonly ImageBuilderRefKind[] = ['image-build', 'lifecycle-execution', 'workflow-execution'],
): ResolvedRef {
  const obj = typeof ref === 'object' && ref !== null ? (ref as { id?: unknown; kind?: unknown }) : undefined;
  const id = obj ? obj.id : ref;
  const kind = obj?.kind;
  if (typeof id !== 'string' || id === '')
    throw refError(
      operation,
      `expected ${EXPECTED}, or { id } holding one, got ${obj ? 'an object without an id' : show(ref)}`,
    );
  let resolved: ImageBuilderRefKind | undefined;
  if (kind !== undefined) {
    if (typeof kind !== 'string' || !(kind in FORMS))
      throw refError(operation, `kind must be one of ${Object.keys(FORMS).join(', ')}, got ${show(kind)}`);
    if (!FORMS[kind as ImageBuilderRefKind].test(id))
      throw refError(
        operation,
        `${show(id)} is not a${kind === 'image-build' ? 'n image build version ARN' : ` ${kind} id`}`,
      );
    resolved = kind as ImageBuilderRefKind;
  } else {
    resolved = (Object.keys(FORMS) as ImageBuilderRefKind[]).find((k) => FORMS[k].test(id));
  }
  if (!resolved) {
    const hint = IMAGE_VERSION_ARN.test(id)
      ? ': an image version ARN names no one build; pass one of its build version ARNs (…/<x.y.z>/<n>, from listImageBuildVersions)'
      : '';
    throw refError(operation, `expected ${EXPECTED}, got ${show(id)}${hint}`);
  }
  if (!allowed.includes(resolved))
    throw refError(
      operation,
      `${NAMES[resolved]} cannot be used here: pass ${allowed.map((k) => NAMES[k]).join(' or ')}`,
    );
  return { kind: resolved, id };
}
