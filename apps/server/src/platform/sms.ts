import type { FastifyBaseLogger } from 'fastify';
import { mask } from './crypto.js';

/** Sends short text messages (one-time login codes). A real gateway implements this interface. */
export interface SmsProvider {
  send(phone: string, text: string): Promise<void>;
}

export interface SmsMessage {
  phone: string;
  text: string;
  at: string;
}

const INBOX_SIZE = 50;

/**
 * The built-in provider: no gateway is called. Each message is written to the server log and kept
 * in memory (the last 50) for the developer inbox, GET /api/dev/sms, outside production.
 */
export class LoggingSmsProvider implements SmsProvider {
  private readonly messages: SmsMessage[] = [];
  constructor(private readonly log?: Pick<FastifyBaseLogger, 'info'>) {}

  async send(phone: string, text: string): Promise<void> {
    this.messages.push({ phone, text, at: new Date().toISOString() });
    if (this.messages.length > INBOX_SIZE) this.messages.splice(0, this.messages.length - INBOX_SIZE);
    if (this.log) this.log.info({ sms: { to: mask(phone) } }, `SMS to ${phone}: ${text}`);
    else console.log(`[sms] to ${phone}: ${text}`);
  }

  /** Newest first. */
  inbox(): SmsMessage[] {
    return [...this.messages].reverse();
  }
}
