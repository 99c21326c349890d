// wharf.v1.AdminService: resource definitions through the log, views from the applied state.
import { invalidArgument, notFound, unimplemented } from '../../common/errors.ts';
import { canonicalDestination, isInbox } from '../../common/names.ts';
import type { AdminServiceHandlers } from '../../proto/gen/wharf/v1/AdminService.ts';
import type { Queue } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Topic } from '../../proto/gen/wharf/v1/Topic.ts';
import { requireLeader } from './cluster.ts';
import { type ApiContext, proposeExpect, unary } from './handlers.ts';
import { type LiveCounts, queueSpecFromProto, queueToProto, topicSpecFromProto, topicToProto } from './spec-convert.ts';

const SINGLE_MEMBER = 'this broker runs as a single member (no --peers): it has no Raft group to change';

function checkNamespace(namespace: string): string {
  if (namespace === '') return '';
  return canonicalDestination(`${namespace}/x`).split('/')[0] ?? '';
}

export function adminService(ctx: ApiContext): AdminServiceHandlers {
  const log = ctx.logger;
  const engine = () => ctx.replica.engine;
  const live: LiveCounts = {
    consumers: (destination, subscription) => ctx.dispatcher.consumers(destination, subscription),
    get leader() {
      return ctx.replica.leaderId();
    },
  };
  const queueView = (name: string): Queue => {
    const view = engine().getQueue(name, ctx.replica.nowMs());
    if (view === undefined) throw notFound(`no such queue ${name}`);
    return queueToProto(view, live);
  };
  const topicView = (name: string): Topic => {
    const view = engine().getTopic(name, ctx.replica.nowMs());
    if (view === undefined) throw notFound(`no such topic ${name}`);
    return topicToProto(view, live);
  };
  const nameOf = (raw: string | undefined): string => canonicalDestination(raw ?? '', ctx.defaultNamespace);
  /**
   * Queue and topic status is read on the leader (it knows the consumers) after a read barrier:
   * it reflects every write acknowledged before the call. Followers answer with the leader's address.
   */
  const readable = async (): Promise<void> => {
    requireLeader(ctx.cluster);
    await ctx.replica.readBarrier?.();
  };

  return {
    ApplyQueue: unary(log, 'ApplyQueue', async (request) => {
      requireLeader(ctx.cluster);
      if (request.queue === null) throw invalidArgument('queue is missing');
      const name = nameOf(request.queue.name);
      const spec = queueSpecFromProto(name, request.queue.spec);
      await proposeExpect(ctx.replica, { type: 'applyQueue', nowMs: ctx.replica.nowMs(), name, spec }, 'applied');
      return { queue: queueView(name) };
    }),
    GetQueue: unary(log, 'GetQueue', async (request) => {
      await readable();
      return { queue: queueView(nameOf(request.name)) };
    }),
    ListQueues: unary(log, 'ListQueues', async (request) => {
      await readable();
      return {
        queues: engine()
          .listQueues(checkNamespace(request.namespace), ctx.replica.nowMs())
          .filter((view) => !isInbox(view.name))
          .map((view) => queueToProto(view, live)),
      };
    }),
    DeleteQueue: unary(log, 'DeleteQueue', async (request) => {
      requireLeader(ctx.cluster);
      const name = nameOf(request.name);
      if (engine().kindOf(name) !== 'queue') throw notFound(`no such queue ${name}`);
      await proposeExpect(ctx.replica, { type: 'deleteQueue', nowMs: ctx.replica.nowMs(), name }, 'deleted');
      return {};
    }),
    ApplyTopic: unary(log, 'ApplyTopic', async (request) => {
      requireLeader(ctx.cluster);
      if (request.topic === null) throw invalidArgument('topic is missing');
      const name = nameOf(request.topic.name);
      const spec = topicSpecFromProto(name, request.topic.spec);
      await proposeExpect(ctx.replica, { type: 'applyTopic', nowMs: ctx.replica.nowMs(), name, spec }, 'applied');
      return { topic: topicView(name) };
    }),
    GetTopic: unary(log, 'GetTopic', async (request) => {
      await readable();
      return { topic: topicView(nameOf(request.name)) };
    }),
    ListTopics: unary(log, 'ListTopics', async (request) => {
      await readable();
      return {
        topics: engine()
          .listTopics(checkNamespace(request.namespace), ctx.replica.nowMs())
          .map((view) => topicToProto(view, live)),
      };
    }),
    DeleteTopic: unary(log, 'DeleteTopic', async (request) => {
      requireLeader(ctx.cluster);
      const name = nameOf(request.name);
      if (engine().kindOf(name) !== 'topic') throw notFound(`no such topic ${name}`);
      await proposeExpect(ctx.replica, { type: 'deleteTopic', nowMs: ctx.replica.nowMs(), name }, 'deleted');
      return {};
    }),
    GetClusterStatus: unary(log, 'GetClusterStatus', async () => {
      const nowMs = ctx.replica.nowMs();
      const cluster = ctx.cluster;
      if (cluster !== undefined) {
        return {
          clusterId: cluster.clusterId,
          members: cluster.members(),
          version: ctx.version,
          queues: engine()
            .listQueues('', nowMs)
            .filter((v) => !isInbox(v.name)).length,
          topics: engine().listTopics('', nowMs).length,
          commitIndex: ctx.replica.stats().commitIndex,
          appliedIndex: engine().appliedIndex,
        };
      }
      return {
        clusterId: 'local',
        members: [{ id: ctx.nodeId, address: ctx.address(), voter: true, leader: true, healthy: true }],
        version: ctx.version,
        queues: engine()
          .listQueues('', nowMs)
          .filter((v) => !isInbox(v.name)).length,
        topics: engine().listTopics('', nowMs).length,
        commitIndex: engine().appliedIndex,
        appliedIndex: engine().appliedIndex,
      };
    }),
    AddMember: unary(log, 'AddMember', async (request) => {
      if (ctx.cluster === undefined) throw unimplemented(SINGLE_MEMBER);
      const id = memberId(request.id);
      return { members: await ctx.cluster.addMember(id, request.address.trim()) };
    }),
    RemoveMember: unary(log, 'RemoveMember', async (request) => {
      if (ctx.cluster === undefined) throw unimplemented(SINGLE_MEMBER);
      return { members: await ctx.cluster.removeMember(memberId(request.id)) };
    }),
    TransferLeadership: unary(log, 'TransferLeadership', async (request) => {
      if (ctx.cluster === undefined) throw unimplemented(SINGLE_MEMBER);
      const to = request.toMember.trim();
      const from = request.fromMember.trim();
      if (to !== '') memberId(to);
      if (from !== '') memberId(from);
      await ctx.cluster.transferLeadership(to, from);
      return {};
    }),
    RedriveDeadLetters: unary(log, 'RedriveDeadLetters', async (request) => {
      requireLeader(ctx.cluster);
      const deadLetterQueue = nameOf(request.deadLetterQueue);
      if (engine().kindOf(deadLetterQueue) !== 'queue') throw notFound(`no such queue ${deadLetterQueue}`);
      const result = await proposeExpect(
        ctx.replica,
        { type: 'redrive', nowMs: ctx.replica.nowMs(), deadLetterQueue, max: request.maxMessages },
        'redriven',
      );
      return { redriven: result.count };
    }),
  };
}

/** Member ids as --peers takes them (StatefulSet pod names fit). */
function memberId(id: string): string {
  const trimmed = id.trim();
  if (!/^[A-Za-z0-9][\w.-]{0,62}$/.test(trimmed)) {
    throw invalidArgument(
      `member id "${id}" must be letters, digits, '.', '_' or '-' (up to 63), starting alphanumeric`,
    );
  }
  return trimmed;
}
