// The least an Ink app can do: draw one bordered line and wait. Bundled like StoryOS and timed
// the same way, it is the floor under the time to the login screen's first frame.
import { Box, render, Text } from 'ink';

render(
  <Box borderStyle="round" flexDirection="column">
    <Text>Log in</Text>
  </Box>,
);
