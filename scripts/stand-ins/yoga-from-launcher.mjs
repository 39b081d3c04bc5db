// Stands in for yoga-layout in dist/bundle/storyos-game.cjs, the CommonJS script bare `storyos`
// runs with V8's code cache. Yoga's loader needs `await`, which CommonJS has not at the top level,
// so src/launch/start-game.ts loads Yoga first and hands it over.
const Yoga = globalThis.storyosYoga;
if (!Yoga) throw new Error('Yoga was not loaded: storyos-game.cjs is started by src/launch/start-game.ts.');
export default Yoga;
export * from '../../node_modules/yoga-layout/dist/src/generated/YGEnums.js';
