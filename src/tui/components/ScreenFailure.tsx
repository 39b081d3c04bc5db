import { Box, Text } from 'ink';
import { Component, type ReactNode } from 'react';
import { getLogger, logError } from '../../logging/logger.js';
import { BackOnEscape } from './BackOnEscape.js';
import { Notice } from './Notice.js';

const log = getLogger('tui');

interface Props {
  /** What failed, for the player: "The game screen". */
  what: string;
  onBack: () => void;
  children: ReactNode;
}

/**
 * A screen that fails to load or render becomes one sentence and a way back, instead of taking
 * the whole TUI (and the player's terminal) down.
 */
export class ScreenFailure extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    logError(log, `${this.props.what} failed`, error, { operation: 'render_screen' });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Box flexDirection="column">
        <Notice kind="error" text={`${this.props.what} could not open: ${error.message}`} />
        <Text dimColor>Esc returns to the menu.</Text>
        <BackOnEscape onBack={this.props.onBack} />
      </Box>
    );
  }
}
