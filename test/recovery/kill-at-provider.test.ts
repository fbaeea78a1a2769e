import { testKilledCreatesResume } from './killed-create-resumes.js';

/**
 * A Stockroom process killed (SIGKILL) while the provider works on the store, or right after it
 * answered and before Stockroom recorded the resource's id. Either way the provider holds a
 * resource Stockroom knows nothing of. The restart sends Provision Resource again with the store's
 * provision key; the reference partner replays its first answer, so the store gets that resource
 * and its secrets, and no second one is made (issue 5 §4).
 */
testKilledCreatesResume('a create killed at the provider', ['during-provision', 'after-provision'], 'the restart finishes each store with the resource the provider already made');
