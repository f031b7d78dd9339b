import { describe, expect, it } from 'vitest';
import {
  AMI_STATE_ENTRIES,
  CFN_STATUS_ENTRIES,
  CLUSTER_STATUS_ENTRIES,
  IMAGEBUILDER_STATUS_ENTRIES,
  IMAGE_BUILD_STATUS_ENTRIES,
  STACK_STATE_ENTRIES,
  STACK_TO_IMAGE_BUILD_STATUS,
  amiState,
  cfnActionPhase,
  clusterStatusFromStack,
  listImagesBuildStatus,
} from '../src/index.js';
import { toStackEvent } from '../src/mapping/events.js';
import { imageStateOf } from '../src/mapping/images.js';
import { modelEnum, pcEnum } from './specs.js';

const CFN = 'cloudformation/service-2.json';

describe('every CloudFormation status is mapped', () => {
  const resource = modelEnum(CFN, 'ResourceStatus');
  const stack = modelEnum(CFN, 'StackStatus');
  const pcResource = pcEnum('CloudFormationResourceStatus');
  const pcStack = pcEnum('CloudFormationStackStatus');

  it('the models hold what the research says (28 resource, 23 stack statuses, IMPORT/EXPORT/ROLLBACK)', () => {
    expect(resource).toHaveLength(28);
    expect(stack).toHaveLength(23);
    expect(resource).toEqual(
      expect.arrayContaining(['EXPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED']),
    );
    expect(pcResource.every((s) => resource.includes(s))).toBe(true);
  });

  it.each([...new Set([...resource, ...stack, ...pcResource, ...pcStack])])('%s → a known action and phase', (s) => {
    expect(Object.hasOwn(CFN_STATUS_ENTRIES, s)).toBe(true);
    const ap = cfnActionPhase(s);
    expect(ap.action).not.toBe('UNKNOWN');
    expect(ap.phase).not.toBe('UNKNOWN');
  });

  it.each([...new Set([...stack, ...pcStack])])(
    'stack status %s → a stack state, a build status and a cluster status',
    (s) => {
      expect(Object.hasOwn(STACK_STATE_ENTRIES, s)).toBe(true);
      // ListImages passes unmapped statuses through: the result must still be a known build status.
      expect(Object.hasOwn(IMAGE_BUILD_STATUS_ENTRIES, listImagesBuildStatus(s))).toBe(true);
      // DescribeImage's table leaves only UPDATE_FAILED unmapped; the client then falls back on the stack status.
      if (s === 'UPDATE_FAILED') expect(STACK_TO_IMAGE_BUILD_STATUS[s]).toBeUndefined();
      else expect(Object.hasOwn(IMAGE_BUILD_STATUS_ENTRIES, STACK_TO_IMAGE_BUILD_STATUS[s] as string)).toBe(true);
      expect(imageStateOf({ cloudformationStackStatus: s }).state).not.toBe('UNKNOWN');
      const cs = clusterStatusFromStack(s);
      expect(Object.hasOwn(CLUSTER_STATUS_ENTRIES, cs) || Object.hasOwn(STACK_STATE_ENTRIES, cs)).toBe(true);
    },
  );

  it('maps the tricky ones to what they mean', () => {
    expect(cfnActionPhase('DELETE_SKIPPED')).toEqual({ action: 'DELETE', phase: 'SKIPPED' });
    expect(cfnActionPhase('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toEqual({
      action: 'ROLLBACK',
      phase: 'IN_PROGRESS',
    });
    expect(cfnActionPhase('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toEqual({ action: 'UPDATE', phase: 'IN_PROGRESS' });
    expect(cfnActionPhase('ROLLBACK_COMPLETE')).toEqual({ action: 'ROLLBACK', phase: 'COMPLETE' });
    expect(cfnActionPhase('EXPORT_FAILED')).toEqual({ action: 'EXPORT', phase: 'FAILED' });
    expect(cfnActionPhase('IMPORT_ROLLBACK_IN_PROGRESS')).toEqual({ action: 'ROLLBACK', phase: 'IN_PROGRESS' });
    expect(STACK_STATE_ENTRIES.ROLLBACK_COMPLETE).toBe('ROLLED_BACK');
    expect(STACK_STATE_ENTRIES.DELETE_COMPLETE).toBe('DELETED');
  });

  it('a status CloudFormation adds later is UNKNOWN-safe: best-effort split, literal kept', () => {
    expect(cfnActionPhase('FROB_COMPLETE')).toEqual({ action: 'UNKNOWN', phase: 'COMPLETE' });
    expect(cfnActionPhase('EXPORT_ROLLBACK_SOMETHING')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(cfnActionPhase(undefined)).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    const ev = toStackEvent(
      { stackId: 's', eventId: 'e', stackName: 'n', timestamp: new Date(0), resourceStatus: 'WEIRD_NEW_STATE' },
      {},
    );
    expect(ev.status).toBe('WEIRD_NEW_STATE');
    expect(ev.phase).toBe('UNKNOWN');
  });
});

describe('ParallelCluster enums are mapped', () => {
  it.each(pcEnum('ImageBuildStatus'))('imageBuildStatus %s', (s) => {
    expect(Object.hasOwn(IMAGE_BUILD_STATUS_ENTRIES, s)).toBe(true);
    expect(imageStateOf({ imageBuildStatus: s }).state).not.toBe('UNKNOWN');
  });
  it.each([
    ...new Set([...pcEnum('ImageBuilderImageStatus'), ...modelEnum('imagebuilder/service-2.json', 'ImageStatus')]),
  ])('imagebuilderImageStatus %s', (s) => {
    expect(Object.hasOwn(IMAGEBUILDER_STATUS_ENTRIES, s)).toBe(true);
    expect(imageStateOf({ imagebuilderImageStatus: s }).state).not.toBe('UNKNOWN');
  });
  it.each([...pcEnum('Ec2AmiState'), ...modelEnum('ec2/service-2.DescribeImages.subset.json', 'ImageState')])(
    'AMI state %s',
    (s) => {
      expect(Object.hasOwn(AMI_STATE_ENTRIES, s.toUpperCase())).toBe(true);
      expect(amiState(s)).not.toBe('UNKNOWN');
    },
  );
  it.each(pcEnum('ClusterStatus'))('clusterStatus %s', (s) => {
    const e = CLUSTER_STATUS_ENTRIES[s];
    expect(e).toBeDefined();
    expect(e?.state).not.toBe('UNKNOWN');
    expect(e?.action).not.toBe('UNKNOWN');
  });
  it('the two pcluster build-status tables differ where pcluster differs', () => {
    expect(STACK_TO_IMAGE_BUILD_STATUS.IMPORT_COMPLETE).toBe('BUILD_COMPLETE');
    expect(listImagesBuildStatus('IMPORT_COMPLETE')).toBe('IMPORT_COMPLETE');
    expect(listImagesBuildStatus('ROLLBACK_IN_PROGRESS')).toBe('BUILD_FAILED');
    expect(clusterStatusFromStack('UPDATE_ROLLBACK_COMPLETE')).toBe('UPDATE_FAILED');
    expect(clusterStatusFromStack('REVIEW_IN_PROGRESS')).toBe('REVIEW_IN_PROGRESS');
  });
  it('an unknown build status keeps its literal and falls back on Image Builder', () => {
    expect(imageStateOf({ imageBuildStatus: 'BUILD_PAUSED', imagebuilderImageStatus: 'TESTING' })).toEqual({
      state: 'BUILDING',
      status: 'BUILD_PAUSED',
    });
    expect(imageStateOf({ imageBuildStatus: 'BUILD_PAUSED' })).toEqual({ state: 'UNKNOWN', status: 'BUILD_PAUSED' });
  });
});

describe('toStackEvent', () => {
  const base = { stackId: 'arn:s', eventId: 'e1', stackName: 'st', timestamp: new Date(1000) };
  it('parses resourceProperties when it is JSON and keeps text otherwise', () => {
    expect(toStackEvent({ ...base, resourceProperties: '{"a":[1,2]}' }, {}).properties).toEqual({ a: [1, 2] });
    expect(toStackEvent({ ...base, resourceProperties: 'Name=x' }, {}).properties).toBe('Name=x');
    expect(toStackEvent({ ...base, resourceProperties: '{broken' }, {}).properties).toBe('{broken');
    expect(toStackEvent(base, {}).properties).toBeUndefined();
    expect(toStackEvent({ ...base, resourceProperties: '  \n [1]' }, {}).properties).toEqual([1]);
    expect(toStackEvent({ ...base, resourceProperties: '' }, {}).properties).toBe('');
    expect(toStackEvent({ ...base, resourceProperties: '"quoted"' }, {}).properties).toBe('"quoted"');
  });
  it('keeps hook fields, DetailedStatus, OperationId and the token in details', () => {
    const ev = toStackEvent(
      {
        ...base,
        hookStatus: 'HOOK_COMPLETE_FAILED',
        detailedStatus: 'VALIDATION_FAILED',
        operationId: 'op',
        clientRequestToken: 't',
      },
      {},
    );
    expect(ev.details).toEqual({
      hookStatus: 'HOOK_COMPLETE_FAILED',
      detailedStatus: 'VALIDATION_FAILED',
      operationId: 'op',
      clientRequestToken: 't',
    });
  });
  it('tells the stack’s own events from resource events, and nested events from the root', () => {
    const own = toStackEvent(
      { ...base, logicalResourceId: 'st', physicalResourceId: 'arn:s', resourceType: 'AWS::CloudFormation::Stack' },
      {},
      { id: 'arn:s', name: 'st' },
    );
    expect(own.isStackEvent).toBe(true);
    expect(own.stack.rootId).toBeUndefined();
    const nested = toStackEvent(
      { ...base, stackId: 'arn:child', logicalResourceId: 'X', resourceType: 'AWS::EC2::VPC' },
      {},
      { id: 'arn:s', name: 'st' },
    );
    expect(nested.isStackEvent).toBe(false);
    expect(nested.stack).toEqual({ id: 'arn:child', name: 'st', rootId: 'arn:s', rootName: 'st' });
    // An empty physical id (first CREATE_IN_PROGRESS) is absent, not ''.
    expect(toStackEvent({ ...base, physicalResourceId: '' }, {}).resource.physicalId).toBeUndefined();
  });
});
