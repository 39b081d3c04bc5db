// Stands in for node:crypto in StoryOS's own modules in the bundle: node:crypto loads at the first
// call instead of as the bundle loads. Node 24 no longer has it in its start-up snapshot, and
// loading it took about 3 ms before the game's first frame, which calls none of these. A build
// whose source imports another name from node:crypto fails until it is added here.
const crypto = () => process.getBuiltinModule('node:crypto');

export const createHash = (...args) => crypto().createHash(...args);
export const randomBytes = (...args) => crypto().randomBytes(...args);
export const randomUUID = (...args) => crypto().randomUUID(...args);
