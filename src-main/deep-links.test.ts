import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import {
  ConversationLinkRouter,
  findConversationLinkInArgv,
  listenForOpenUrl,
  parseConversationLink,
  registerConversationLinkHandler,
} from './deep-links';
import { FakeEvent, app, resetFakeElectron } from './testing/fake-electron';

beforeEach(() => resetFakeElectron());

describe('parseConversationLink', () => {
  it.each([
    ['switchboard://conversation/1', 1],
    ['switchboard://conversation/42', 42],
    ['SWITCHBOARD://Conversation/42', 42],
    [`switchboard://conversation/${Number.MAX_SAFE_INTEGER}`, Number.MAX_SAFE_INTEGER],
  ])('reads %s', (url, id) => {
    expect(parseConversationLink(url)).toBe(id);
  });

  it.each([
    'switchboard://conversation/0',
    'switchboard://conversation/-1',
    'switchboard://conversation/007',
    'switchboard://conversation/1.5',
    'switchboard://conversation/1e3',
    'switchboard://conversation/0x10',
    'switchboard://conversation/9007199254740993',
    'switchboard://conversation/12345678901234567',
    'switchboard://conversation/',
    'switchboard://conversation/42/',
    'switchboard://conversation/42?x=1',
    'switchboard://conversation/42#x',
    'switchboard://conversation/42/../../settings',
    'switchboard://conversation/%34%32',
    'switchboard://conversation/ 42',
    ' switchboard://conversation/42',
    'switchboard://conversation/42\n',
    'switchboard://user@conversation/42',
    'switchboard://conversation:80/42',
    'switchboard://settings/42',
    'switchboard:conversation/42',
    'switchboard:///conversation/42',
    'https://conversation/42',
    'app://switchboard/conversation/42',
    '',
  ])('refuses %j', (url) => {
    expect(parseConversationLink(url)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(parseConversationLink(42)).toBeNull();
    expect(parseConversationLink(null)).toBeNull();
    expect(parseConversationLink({ toString: () => 'switchboard://conversation/1' })).toBeNull();
  });
});

describe('findConversationLinkInArgv', () => {
  it('finds the link among Chromium flags and the app path', () => {
    expect(
      findConversationLinkInArgv([
        'C:\\Program Files\\Switchboard\\Switchboard.exe',
        '--allow-file-access-from-files',
        '--original-process-start-time=1',
        'switchboard://conversation/314',
      ]),
    ).toBe(314);
  });

  it('ignores invalid links and answers null without one', () => {
    expect(findConversationLinkInArgv(['/usr/bin/switchboard', 'switchboard://conversation/abc'])).toBeNull();
    expect(findConversationLinkInArgv(['/usr/bin/switchboard'])).toBeNull();
    expect(findConversationLinkInArgv([])).toBeNull();
  });
});

describe('registerConversationLinkHandler', () => {
  it('registers switchboard:// for a packaged app', () => {
    registerConversationLinkHandler({ execPath: '/opt/Switchboard/switchboard', argv: ['/opt/Switchboard/switchboard'] });
    expect(app.setAsDefaultProtocolClient).toHaveBeenCalledWith('switchboard');
  });

  it('passes the app path when running as `electron <app>`', () => {
    registerConversationLinkHandler({ defaultApp: true, execPath: '/usr/bin/electron', argv: ['/usr/bin/electron', '.'] });
    expect(app.setAsDefaultProtocolClient).toHaveBeenCalledWith('switchboard', '/usr/bin/electron', [path.resolve('.')]);
  });
});

describe('ConversationLinkRouter', () => {
  it('holds a link that arrives before the app is ready and delivers the newest one', () => {
    const opened: number[] = [];
    const router = new ConversationLinkRouter((id) => opened.push(id));
    expect(router.receiveUrl('switchboard://conversation/1')).toBe(true);
    expect(router.receiveUrl('switchboard://conversation/2')).toBe(true);
    expect(opened).toEqual([]);
    router.markReady();
    expect(opened).toEqual([2]);
    router.markReady();
    expect(opened).toEqual([2]);
  });

  it('delivers at once when ready, and ignores invalid links', () => {
    const opened: number[] = [];
    const router = new ConversationLinkRouter((id) => opened.push(id));
    router.markReady();
    expect(router.receiveUrl('switchboard://conversation/9')).toBe(true);
    expect(router.receiveUrl('switchboard://conversation/0')).toBe(false);
    expect(router.receiveArgv(['x', 'switchboard://conversation/10'])).toBe(true);
    expect(router.receiveArgv(['x'])).toBe(false);
    expect(opened).toEqual([9, 10]);
  });

  it('takes macOS open-url events and stops the default handling', () => {
    const opened: number[] = [];
    const router = new ConversationLinkRouter((id) => opened.push(id));
    router.markReady();
    listenForOpenUrl(router);
    const event = new FakeEvent();
    app.emit('open-url', event, 'switchboard://conversation/5');
    expect(event.defaultPrevented).toBe(true);
    expect(opened).toEqual([5]);
    app.emit('open-url', new FakeEvent(), 'switchboard://settings');
    expect(opened).toEqual([5]);
  });
});
