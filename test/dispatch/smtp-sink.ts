import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server on loopback (port 0) for the dispatch tests and the benchmark. It keeps what it
 * accepted (raw bytes and the envelope) and can be told to answer RCPT TO with an error, to hold the
 * reply to the end of DATA (to kill a sender mid-transaction), or to discard messages (benchmark).
 */
export interface Received {
  raw: Buffer;
  envelopeTo: string[];
}

export interface SinkOptions {
  /** Reply to RCPT TO: null accepts; {code, message} refuses (451 temporary, 550 permanent). */
  onRcpt?: (address: string, rcptCount: number) => { code: number; message: string } | null;
  /** Called at the end of DATA; return 'hold' to never answer (the sender hangs mid-transaction). */
  onDataEnd?: (acceptedSoFar: number) => 'accept' | 'hold';
  /** Count but do not keep the bytes (benchmark). */
  discard?: boolean;
}

export interface SmtpSink {
  url: string;
  port: number;
  received: Received[];
  /** Number of messages answered 250 (also counted when discarding). */
  accepted(): number;
  held(): number;
  /** Answers every held DATA with a 421 and forgets them. */
  releaseHeld(): void;
  setOptions(opts: SinkOptions): void;
  parsed(): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(initial: SinkOptions = {}): Promise<SmtpSink> {
  let opts = initial;
  const received: Received[] = [];
  let acceptedCount = 0;
  let rcptCount = 0;
  const held: ((err?: Error | null) => void)[] = [];

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      rcptCount += 1;
      const refusal = opts.onRcpt?.(address.address, rcptCount);
      if (refusal) {
        const err = new Error(refusal.message) as Error & { responseCode: number };
        err.responseCode = refusal.code;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!opts.discard) chunks.push(c);
      });
      stream.on('end', () => {
        if (opts.onDataEnd?.(acceptedCount) === 'hold') {
          held.push(callback);
          return;
        }
        acceptedCount += 1;
        if (!opts.discard) received.push({ raw: Buffer.concat(chunks), envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
        callback(null);
      });
    },
  });
  server.on('error', () => undefined); // a client killed mid-transaction resets its socket: expected in the crash test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    accepted: () => acceptedCount,
    held: () => held.length,
    releaseHeld: () => {
      for (const cb of held.splice(0)) {
        const err = new Error('Service shutting down') as Error & { responseCode: number };
        err.responseCode = 421;
        try {
          cb(err);
        } catch {
          /* the connection is gone */
        }
      }
    },
    setOptions: (o) => {
      opts = o;
    },
    parsed: () => Promise.all(received.map((r) => simpleParser(r.raw))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
