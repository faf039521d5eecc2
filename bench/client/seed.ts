/**
 * Seeds a sync server's data folder for the client benchmark with the server's own code: a real
 * server runs in this process for sign-up, the invitation and the Custom apps (over HTTP), and the
 * client messages and transitions go through its ConversationService (the path every channel and
 * the REST API take), with a simulated clock so that the history spans two months instead of the
 * minute the seeding takes. The folder is then served by a separate server process.
 *
 * Shape (defaults): 10,000 conversations over 25 Custom apps holding 200,000 messages: one
 * conversation of 2,000 messages (the newest in the benchmark user's My inbox) and 9,999 of 4–36
 * messages, about a quarter of them app echoes (outgoing). The benchmark user is the owner;
 * 4,000 conversations are in their My inbox, 2,500 closed by them, 2,500 unassigned and 1,000 in a
 * second operator's inbox (seen in the All tab).
 */
import { startServer } from '../../sync-server/app';
import { defaultConfig } from '../../sync-server/config';
import { ConversationService } from '../../sync-server/conversations/service';
import { actorOf } from '../../sync-server/company/directory';
import { addOperator, http, signup } from '../../sync-server/test/harness';
import { seededRandom } from '../../src-core/random';

export interface SeedOptions {
  dataDir: string;
  conversations: number;
  messages: number;
  bigConversationMessages: number;
  apps: number;
  log(line: string): void;
}

export interface SeedApp {
  id: number;
  customAppId: string;
  token: string;
  inboundUrl: string;
}

export interface SeedConversation {
  id: number;
  appIndex: number;
  clientId: string;
  clientName: string;
  tab: 'unassigned' | 'mine' | 'closed' | 'other';
}

export interface SeedResult {
  email: string;
  password: string;
  userId: number;
  companyId: number;
  apps: SeedApp[];
  conversations: SeedConversation[];
  /** The conversation with `bigConversationMessages` messages. */
  big: SeedConversation;
  totalMessages: number;
  seconds: number;
}

/** A deterministic PRNG, so every run seeds the same texts. */
export const rng = seededRandom;

const COMMON = ('the to and a of is in for you it my on with this that can be have not do are your we me order '
  + 'please thanks hello hi when what how will there was but at from if just get one no yes so all about').split(' ');
const DOMAIN = ('delivery package refund payment invoice account password login address courier tracking number '
  + 'return exchange size colour discount coupon subscription cancel warranty receipt store pickup card bank '
  + 'transfer balance bonus points manager shipment parcel damaged missing late today tomorrow week price '
  + 'product available stock model battery charger screen broken replacement repair service appointment').split(' ');
const NAMES = ('Anna Boris Clara Dmitri Elena Farid Galina Hugo Irina Jonas Katya Leon Maria Nikolai Olga Pavel '
  + 'Quentin Rosa Sergei Tanya Ulrich Vera Wanda Xenia Yuri Zoe Ahmed Bianca Carlos Dana Emil Fiona').split(' ');
const SURNAMES = ('Ivanova Smith Petrov Müller García Kowalski Rossi Novak Silva Dubois Jensen Sato Kim Chen '
  + 'Okafor Haddad Larsen Costa Nagy Popescu Horvat Weber Moreau Fischer Romano Svensson Walsh Young').split(' ');

/** Message text: common words plus domain words (Zipf-like), sometimes an order number. */
export function makeText(rand: () => number): string {
  const n = 3 + Math.floor(rand() * 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.62) words.push(COMMON[Math.floor(Math.pow(rand(), 1.6) * COMMON.length)]);
    else if (r < 0.94) words.push(DOMAIN[Math.floor(Math.pow(rand(), 1.3) * DOMAIN.length)]);
    else words.push(`#${100000 + Math.floor(rand() * 900000)}`);
  }
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}${rand() < 0.3 ? '?' : '.'}`;
}

function clientNameOf(k: number): string {
  return `${NAMES[k % NAMES.length]} ${SURNAMES[Math.floor(k / NAMES.length) % SURNAMES.length]} ${k}`;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const t0 = performance.now();
  const server = await startServer(defaultConfig({ dataDir: opts.dataDir, webRoot: null, logLevel: 'silent' }));
  try {
    const password = 'bench password 1';
    const owner = await signup(server.url, { companyName: 'Bench Retail', name: 'Olga Owner', email: 'owner@bench.example', password });
    const ivan = await addOperator(server.url, owner.accessToken, { name: 'Ivan Petrov', email: 'ivan@bench.example' });
    const apps: SeedApp[] = [];
    for (let i = 0; i < opts.apps; i++) {
      const res = await http(server.url, 'POST', '/admin/apps', {
        token: owner.accessToken,
        body: { application: 'custom', name: `Shop chat ${i + 1}`, customAppId: `shop-${i + 1}`, webhookUrl: 'http://127.0.0.1:9/hook' },
      });
      if (res.status !== 200) throw new Error(`POST /admin/apps: ${res.status} ${JSON.stringify(res.body)}`);
      apps.push({ id: res.body.data.id, customAppId: res.body.data.customAppId, token: res.body.data.token, inboundUrl: res.body.data.inboundUrl });
    }

    // The server's services with a simulated clock: two months of history, ending an hour ago.
    const { storage, docs, directory } = server.ctx;
    // About two clock readings per write (the section and its mirror row).
    const calls = 2 * (opts.messages + opts.conversations * 2);
    const end = Date.now() - 3_600_000;
    const step = (60 * 86_400_000) / calls;
    let simulated = end - step * calls;
    const clock = () => Math.floor((simulated = Math.min(end, simulated + step)));
    const service = new ConversationService(storage, docs, directory, clock);

    // Message counts: the big one, and the rest 4–36 each, adjusted to the exact total.
    const rand = rng(42);
    const small = opts.conversations - 1;
    const restTotal = opts.messages - opts.bigConversationMessages;
    const counts = Array.from({ length: small }, () => 4 + Math.floor(rand() * 33));
    let diff = restTotal - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; diff !== 0; i = (i + 1) % small) {
      if (diff > 0 && counts[i] < 60) {
        counts[i]++;
        diff--;
      } else if (diff < 0 && counts[i] > 2) {
        counts[i]--;
        diff++;
      }
    }

    const conversations: SeedConversation[] = [];
    let sent = 0;
    let lastReport = performance.now();
    const sendConversation = async (k: number, count: number, seedValue: number): Promise<SeedConversation> => {
      const r = rng(seedValue);
      const appIndex = k % apps.length;
      const clientId = `client-${k}`;
      const clientName = clientNameOf(k);
      let conversationId = 0;
      for (let m = 0; m < count; m++) {
        const echo = m > 0 && r() < 0.27;
        const res = await service.receiveInbound({
          companyId: owner.companyId, accountChannelId: apps[appIndex].id, application: 'custom', dedupeKey: `seed:${k}:${m}`,
          client: { externalId: clientId, name: clientName }, text: makeText(r), echo,
        });
        conversationId = res.conversationId;
        sent++;
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        opts.log(`  seeding: ${sent.toLocaleString('en')} of ${opts.messages.toLocaleString('en')} messages (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
      return { id: conversationId, appIndex, clientId, clientName, tab: 'unassigned' };
    };
    const ks = Array.from({ length: small }, (_, i) => i + 1);
    const made = new Array<SeedConversation>(small);
    await pool(ks, 24, async (k, i) => {
      made[i] = await sendConversation(k, counts[i], 1000 + k);
    });
    conversations.push(...made);

    // Tabs for the benchmark user (the owner) and a second operator.
    const state = await directory.get(owner.companyId);
    const ownerActor = actorOf(state, owner.userId)!;
    const ivanActor = actorOf(state, ivan.userId)!;
    const take = async (c: SeedConversation, actor: typeof ownerActor) => {
      const { decision } = await service.transition(actor, c.id, { action: 'take' });
      if (decision.outcome !== 'applied') throw new Error(`take of ${c.id} by ${actor.userId}: ${JSON.stringify(decision)}`);
    };
    const plan = conversations.map((c, i) => {
      const bucket = i % 20;
      // 8/20 mine, 5/20 closed, 2/20 Ivan's, 5/20 unassigned.
      const tab: SeedConversation['tab'] = bucket < 8 ? 'mine' : bucket < 13 ? 'closed' : bucket < 15 ? 'other' : 'unassigned';
      c.tab = tab;
      return c;
    });
    await pool(plan.filter((c) => c.tab !== 'unassigned'), 24, async (c) => {
      await take(c, c.tab === 'other' ? ivanActor : ownerActor);
      if (c.tab === 'closed') {
        const { decision } = await service.transition(ownerActor, c.id, { action: 'close' });
        if (decision.outcome !== 'applied') throw new Error(`close of ${c.id}: ${JSON.stringify(decision)}`);
      }
    });

    // The big conversation last: the newest in My inbox, at the top of the list.
    const big = await sendConversation(0, opts.bigConversationMessages, 999);
    await take(big, ownerActor);
    big.tab = 'mine';
    conversations.unshift(big);
    // Every write is durable once the last section resolved.
    await storage.write(async () => undefined);
    return {
      email: owner.email, password, userId: owner.userId, companyId: owner.companyId, apps, conversations, big,
      totalMessages: sent, seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await server.close();
  }
}
