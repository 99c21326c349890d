// wharf status: the cluster's members and what it holds.
import type { GetClusterStatusResponse__Output } from '../../proto/gen/wharf/v1/GetClusterStatusResponse.ts';
import { type Io, printJson } from '../io.ts';
import { formatTable } from '../table.ts';
import { type CommonOptions, withClient } from './common.ts';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

export function statusText(status: GetClusterStatusResponse__Output, address: string): string {
  const lines = [
    `cluster ${status.clusterId || '-'} at ${address} (wharf ${status.version || '?'})`,
    `${status.queues} queues, ${status.topics} topics; log committed ${status.commitIndex}, applied ${status.appliedIndex}`,
    '',
  ];
  const members = status.members.map((m) => [m.id, m.address, yesNo(m.voter), yesNo(m.leader), yesNo(m.healthy)]);
  return `${lines.join('\n')}\n${formatTable(['MEMBER', 'ADDRESS', 'VOTER', 'LEADER', 'HEALTHY'], members)}`;
}

export async function statusCommand(options: CommonOptions, io: Io): Promise<void> {
  const status = await withClient(options, (client) => client.clusterStatus());
  if (options.json) printJson(io, status);
  else io.out(statusText(status, options.addr));
}
