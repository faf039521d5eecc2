/**
 * The header actions of a conversation, run from the header, the keyboard and the palette. A
 * module of its own, so that the keyboard map needs none of the conversation pane's code.
 */
import type { InboxRow } from '../../../src-core/conversation/projection';
import { transition, type ConversationAction } from '../../app/actions';
import { useUi } from '../../app/ui-state';

/** Runs a header action (also used by the keyboard and the palette). */
export function runAction(row: InboxRow, action: ConversationAction): void {
  switch (action) {
    case 'take':
      void transition(row.id, 'take');
      break;
    case 'transfer':
      useUi.setState({ transferOpen: true });
      break;
    case 'return':
      void transition(row.id, 'return');
      break;
    case 'close':
      void transition(row.id, 'close');
      break;
    case 'reopen':
      void transition(row.id, 'reopen');
      break;
  }
}
