// One-shot process for the command comparison: list every event of a stack with the BUILT
// package (dist, plain node, no TypeScript loader), print the count.
import { HeatClient } from '@stackfeed/openstack-heat';

const [url, name, id, nested] = process.argv.slice(2);
const heat = new HeatClient({ auth: { type: 'none' }, endpoint: url });
const evs = await heat.listStackEvents({ name, id }, { nestedDepth: Number(nested) }).toArray({ limit: 100_000 });
console.log(evs.length);
