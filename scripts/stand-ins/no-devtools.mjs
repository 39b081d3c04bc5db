// Stands in for react-devtools-core, which Ink imports only when DEV=true: the bundle leaves the
// React DevTools bridge (and its websocket client) out, and `storyos play` clears DEV for Ink.
export default {
  initialize() {},
  connectToDevTools() {},
};
