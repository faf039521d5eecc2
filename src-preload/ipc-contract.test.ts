import { describe, expect, it } from 'vitest';
import {
  EventChannel,
  IPC_PREFIX,
  InvokeChannel,
  invokeArgumentSchemas,
  notificationRequestSchema,
  storedSessionSchema,
} from './ipc-contract';

describe('IPC contract', () => {
  it('prefixes every channel with switchboard: and never reuses a name', () => {
    const channels = [...Object.values(InvokeChannel), ...Object.values(EventChannel)];
    for (const channel of channels) expect(channel.startsWith(IPC_PREFIX)).toBe(true);
    expect(new Set(channels).size).toBe(channels.length);
  });

  it('has an argument schema for every invoke channel', () => {
    expect(Object.keys(invokeArgumentSchemas).sort()).toEqual(Object.values(InvokeChannel).sort());
  });

  it('accepts only http(s) server URLs and positive integer ids in a session', () => {
    const session = { serverUrl: 'https://sync.example.com', refreshToken: 't', userId: 1, companyId: 2 };
    expect(storedSessionSchema.safeParse(session).success).toBe(true);
    expect(storedSessionSchema.safeParse({ ...session, serverUrl: 'file:///x' }).success).toBe(false);
    expect(storedSessionSchema.safeParse({ ...session, refreshToken: '' }).success).toBe(false);
    expect(storedSessionSchema.safeParse({ ...session, companyId: 0 }).success).toBe(false);
    expect(storedSessionSchema.safeParse({ ...session, userId: 2 ** 53 }).success).toBe(false);
  });

  it('accepts a notification without a conversation but not with a made-up field', () => {
    const notification = { id: 'x', title: 'T', body: 'B', conversationId: null };
    expect(notificationRequestSchema.safeParse(notification).success).toBe(true);
    expect(notificationRequestSchema.safeParse({ ...notification, silent: true, requireInteraction: false }).success).toBe(true);
    expect(notificationRequestSchema.safeParse({ ...notification, icon: 'file:///etc/passwd' }).success).toBe(false);
    expect(notificationRequestSchema.safeParse({ ...notification, id: '' }).success).toBe(false);
    expect(notificationRequestSchema.safeParse({ ...notification, conversationId: undefined }).success).toBe(false);
  });
});
