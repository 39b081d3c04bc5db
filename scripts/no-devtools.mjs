// Stands in for react-devtools-core, which Ink imports only when DEV=true: the bundle leaves the
// React DevTools bridge (and its websocket client) out. `DEV=true storyos` therefore does nothing.
export default {
  initialize() {},
  connectToDevTools() {},
};
