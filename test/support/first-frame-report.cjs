// `node --require <this file>`: at the game's first frame, writes what the process had done by then
// to the file named by STORYOS_FIRST_FRAME_REPORT: Node's own modules loaded, and how many
// Intl.Segmenter objects were made. The game goes on as usual.
const fs = require('node:fs');

let segmenters = 0;
const { Segmenter } = Intl;
Intl.Segmenter = class extends Segmenter {
  constructor(...args) {
    super(...args);
    segmenters++;
  }
};

process.once('storyos:first-frame', () => {
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));
  fs.writeFileSync(process.env.STORYOS_FIRST_FRAME_REPORT, JSON.stringify({ builtins, segmenters }));
});
