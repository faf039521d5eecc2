/** Small visual marks: avatars with initials, channel marks, group chips, presence dots. */
import { Mail, MessageCircle, Plug } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { Application } from '../../../src-core/conversation/types';
import type { Presence } from '../../../src-core/presence';
import { initials } from '../../app/format';
import { Tooltip } from './Tooltip';

const AVATAR_HUES = [210, 160, 280, 20, 330, 100, 250, 40, 190, 0];

function hueOf(seed: string): number {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return AVATAR_HUES[h % AVATAR_HUES.length];
}

export interface AvatarProps {
  name: string;
  size?: 20 | 24 | 32 | 40;
  /** Dimmed: the person is away from the conversation (idle or in the background). */
  dimmed?: boolean;
  /** Outlined: the person is typing. */
  outlined?: boolean;
  className?: string;
}

/** Initials on a tinted disc; decorative (the name is always said next to it or in a label). */
export function Avatar({ name, size = 32, dimmed, outlined, className }: AvatarProps) {
  const hue = hueOf(name);
  return (
    <span
      aria-hidden="true"
      className={`avatar avatar--${size}${dimmed ? ' avatar--dimmed' : ''}${outlined ? ' avatar--outlined' : ''} ${className ?? ''}`}
      style={{ ['--avatar-hue' as string]: String(hue) }}
    >
      {initials(name)}
    </span>
  );
}

interface ChannelStyle {
  letter?: string;
  icon?: typeof Mail;
  color: string;
}

const CHANNELS: Record<Application, ChannelStyle> = {
  telegrambot: { letter: 'T', color: '#1a6fa3' },
  whatsapp: { letter: 'W', color: '#0d7146' },
  facebook: { letter: 'f', color: '#1b57c9' },
  instagram: { letter: 'I', color: '#b0275f' },
  viber: { letter: 'V', color: '#6240b5' },
  twitter: { letter: 'X', color: '#1f1f1f' },
  wechat: { letter: 'We', color: '#17783a' },
  vk: { letter: 'VK', color: '#2a5799' },
  ok: { letter: 'OK', color: '#a84b00' },
  skype: { letter: 'S', color: '#0b659f' },
  line: { letter: 'L', color: '#077338' },
  email: { icon: Mail, color: '#4d5565' },
  livechat: { icon: MessageCircle, color: '#6a35c9' },
  custom: { icon: Plug, color: '#3f4b5e' },
};

export function useChannelName(): (application: Application) => string {
  const { t } = useTranslation();
  return (application) => t(`channel.${application}`);
}

export interface ChannelMarkProps {
  application: Application;
  /** The account channel's name, for the tooltip (product §4.1: hovering shows it). */
  accountName?: string | null;
  size?: 16 | 20;
}

/** The channel's letter mark in its colour, with the channel and account as tooltip and label. */
export function ChannelMark({ application, accountName, size = 16 }: ChannelMarkProps) {
  const channelName = useChannelName()(application);
  const style = CHANNELS[application] ?? CHANNELS.custom;
  const label = accountName ? `${channelName} · ${accountName}` : channelName;
  const Icon = style.icon;
  return (
    <Tooltip content={label} describe={false}>
      <span role="img" aria-label={label} className={`channel-mark channel-mark--${size}`} style={{ background: style.color }}>
        {Icon ? <Icon aria-hidden="true" size={size - 6} strokeWidth={2.4} /> : <span aria-hidden="true">{style.letter}</span>}
      </span>
    </Tooltip>
  );
}

/** A group's colour as a small chip with its name (UI.md: group colours as small chips only). */
export function GroupChip({ name, color }: { name: string; color: string | null }) {
  return (
    <span className="group-chip">
      <span className="group-chip__dot" aria-hidden="true" style={{ background: color ?? 'var(--text-faint)' }} />
      <span className="group-chip__name">{name}</span>
    </span>
  );
}

export function PresenceDot({ presence }: { presence: Presence | undefined }) {
  const { t } = useTranslation();
  const p = presence ?? 'offline';
  return <span role="img" aria-label={t(`presence.${p}`)} className={`presence-dot presence-dot--${p}`} />;
}
