// The ES module face of ./fixtures.js, for the .mjs tests.
import fixtures from './fixtures.js';

export const { fixturesDir, path, readSync, utf8TestText } = fixtures;
export default fixtures;
