// The ES module face of ./index.js, for the .mjs tests.
import common from './index.js';

export const {
  canCreateSymLink,
  expectsError,
  expectWarning,
  hasIntl,
  invalidArgTypeHelper,
  isAIX,
  isFreeBSD,
  isIBMi,
  isLinux,
  isMacOS,
  isMainThread,
  isWindows,
  mustCall,
  mustCallAtLeast,
  mustNotCall,
  mustNotMutateObjectDeep,
  mustSucceed,
  platformTimeout,
  printSkipMessage,
  skip,
} = common;

export default common;
