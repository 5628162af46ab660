// A real SMTP server on 127.0.0.1 (smtp-server, no TLS, no auth) that keeps every message it receives,
// so that tests deliver mail through the same path as production and read what arrived.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The message as it came over the wire: headers and body, still encoded. */
  text: string;
  /** The envelope sender ('' for the null sender). */
  from: string;
  /** The envelope recipients. */
  to: string[];
}

export interface SmtpReceiver {
  /** `smtp://127.0.0.1:PORT`, for smtpSender, deliverDue or VIGIL_SMTP_URL. */
  url: string;
  /** Every message received, in order of arrival. */
  messages: ReceivedMail[];
  /** While true, every recipient is refused (as a full or missing mailbox would be). */
  refuseRecipients: boolean;
  close(): Promise<void>;
}

/** Starts the receiver on a free port; close it in `after`. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = {
    url: '',
    messages: [],
    refuseRecipients: false,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(receiver.refuseRecipients ? new Error('mailbox unavailable') : undefined);
    },
    onData(stream, session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      stream.on('end', () => {
        receiver.messages.push({
          text,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return receiver;
}
