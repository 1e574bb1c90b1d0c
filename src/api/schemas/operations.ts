// GET /health and GET /metrics: what an operator's monitoring reads (and `trunkgate status`).
import { Type } from '@sinclair/typebox';
import { ApiId } from './common.ts';

export const HealthBody = Type.Object(
  {
    api_id: ApiId,
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], {
      description: '"degraded" when the database or a configured Redis does not answer',
    }),
    database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    redis: Type.Union([Type.Literal('ok'), Type.Literal('unreachable'), Type.Literal('not_configured')]),
    rate_limits: Type.Union([Type.Literal('shared'), Type.Literal('per_node')], {
      description: '"shared" through Redis by every node, or counted per node',
    }),
    sip_edge: Type.Optional(
      Type.Object(
        {
          backend: Type.String({ description: 'Where the edge keeps its state: memory, cluster or redis' }),
          degraded: Type.Boolean({
            description: 'Redis configured but unreachable: per-node fallbacks in use',
          }),
          workers: Type.Integer({ description: 'Edge worker processes of this node' }),
        },
        { description: 'Present when this node runs the SIP edge' },
      ),
    ),
  },
  { description: 'The health of this node' },
);

export const MetricsText = {
  description: 'Prometheus text exposition format',
  content: { 'text/plain': { schema: Type.String() } },
};
