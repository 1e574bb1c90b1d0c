// Structured JSON logs (pino). Never pass a secret, a hash or a request body to a logger.
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'trunkgate' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.auth_token',
        '*.authPassword',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // Node's HTTP parser errors carry the raw bytes received (rawPacket): headers and body.
      err: (err: Error) => {
        const out: Record<string, unknown> = { ...pino.stdSerializers.err(err) };
        delete out['rawPacket'];
        return out;
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
