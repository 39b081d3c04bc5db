// Stands in for node:cluster in log4js, which loads it as it loads (about 2 ms on Node 20, 5 ms on
// Node 24) to ask whether this process is the primary and to hear log events from workers.
// StoryOS forks no cluster workers: its process is the primary, whom no worker ever sends to.
// A process that is a cluster worker (Node sets NODE_UNIQUE_ID in it) gets the real module.
const primary = {
  isMaster: true,
  isPrimary: true,
  isWorker: false,
  on() {
    return primary;
  },
  removeListener() {
    return primary;
  },
};

module.exports = 'NODE_UNIQUE_ID' in process.env ? require('node:cluster') : primary;
